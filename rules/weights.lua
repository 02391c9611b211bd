-- Pondérations du référentiel.
--
-- answers : ce que vaut chaque réponse dans le score d'un champ (de 0 à 1).
--           « Non applicable » n'est jamais compté : le critère sort du calcul.
-- fields  : le poids de chaque champ dans le score global (1 par défaut).
--
-- Le poids propre d'un critère se règle dans sa déclaration (weight = 2).
-- Ces pondérations servent aux scores (points forts, points faibles) ;
-- elles ne changent pas la règle d'attribution, écrite dans award.lua.

weights {
  answers = {
    met = 1,        -- satisfait totalement
    partial = 0.5,  -- satisfait partiellement
    not_met = 0,    -- non satisfait
  },
  fields = {
    JF = 1,  -- Juridique et financier
    CG = 1,  -- Comptabilité gestion
    RH = 1,  -- Ressources humaines
    AC = 1,  -- Accompagnement
    RS = 1,  -- Réseau CPE
    SO = 1,  -- Sociétal
  },
}
