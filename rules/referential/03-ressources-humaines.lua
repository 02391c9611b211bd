-- ============================================================================
-- LABEL CPE - Référentiel d'exemple - Champ 3 : Ressources humaines
--
-- ATTENTION : ce fichier est un RÉFÉRENTIEL D'EXEMPLE. Il a été rédigé à partir
-- de la description publique du label Coopérer Pour Entreprendre et du cadre
-- légal des CAE (loi ESS du 31 juillet 2014, Code du travail, Code de la
-- sécurité sociale, décret du 27 octobre 2015 relatif aux CAE). Il ne reproduit
-- pas le référentiel officiel du label, réservé aux CAE sociétaires du réseau.
--
-- Le Comité de Labellisation le remplace par son texte officiel en modifiant
-- ces fichiers Lua : aucune recompilation de la plateforme n'est nécessaire.
--
-- Fonctions disponibles : field { ... } et criterion { ... }.
-- Niveaux : "mandatory" (obligatoire), "recommended" (recommandé),
--           "advised" (conseillé).
-- ============================================================================

field {
  id = "RH",
  name = "Ressources humaines",
  themes = {
    "Droit social",
    "Politique salariale",
    "Dialogue social et communication interne",
    "Formation et compétences",
    "Égalité femmes-hommes",
  },
}

-- ---------------------------------------------------------------------------
-- Droit social
-- ---------------------------------------------------------------------------

criterion {
  id = "RH-01",
  field = "RH",
  theme = "Droit social",
  level = "mandatory",
  statement = "Chaque entrepreneur-salarié a un contrat écrit précisant ses objectifs et son minimum d'activité, l'accompagnement et le "
    .. "contrôle assurés par la CAE, le calcul de sa contribution, les parts fixe et variable de sa rémunération, la référence aux statuts "
    .. "et ses droits sur sa clientèle et sa propriété intellectuelle.",
  guidance = "Satisfait totalement : un échantillon de contrats et d'avenants contient toutes les mentions légales, y compris les modalités "
    .. "d'accès au sociétariat, et chaque contrat est signé avant le début de l'activité salariée. Partiellement : les contrats existent "
    .. "mais une ou plusieurs mentions manquent, ou certains contrats ne sont pas signés.",
  evidence = {
    "Modèle de contrat d'entrepreneur-salarié en vigueur",
    "Échantillon de contrats signés et d'avenants",
  },
  legal = {
    "Code du travail, art. L7331-2",
    "Décret n° 2015-1363 du 27 octobre 2015 relatif aux CAE et aux entrepreneurs salariés",
  },
  weight = 2,
}

criterion {
  id = "RH-02",
  field = "RH",
  theme = "Droit social",
  level = "mandatory",
  statement = "Toute embauche, dans l'équipe d'appui comme parmi les entrepreneurs, fait l'objet d'une déclaration préalable à l'embauche "
    .. "et d'une inscription au registre unique du personnel tenu à jour.",
  guidance = "Satisfait totalement : pour un échantillon d'embauches récentes, la déclaration est antérieure à la prise de poste et le "
    .. "registre est complet (entrées et sorties). Partiellement : les déclarations sont faites mais le registre présente des oublis.",
  evidence = {
    "Registre unique du personnel",
    "Accusés de réception des déclarations préalables à l'embauche",
  },
  legal = {
    "Code du travail, art. L1221-10",
    "Code du travail, art. L1221-13",
  },
}

criterion {
  id = "RH-03",
  field = "RH",
  theme = "Droit social",
  level = "mandatory",
  statement = "La paie est établie chaque mois avec des bulletins conformes, les déclarations sociales nominatives sont transmises "
    .. "et les cotisations sont acquittées à leurs échéances.",
  guidance = "Satisfait totalement : aucune majoration de retard sur les douze derniers mois et une attestation de vigilance à jour. "
    .. "Partiellement : les déclarations sont faites mais des retards de paiement ou des régularisations répétées sont constatés.",
  evidence = {
    "Attestation de vigilance URSSAF",
    "Échantillon de bulletins de paie",
    "Comptes rendus de dépôt des DSN des trois derniers mois",
  },
  legal = {
    "Code de la sécurité sociale, art. L133-5-3",
    "Code du travail, art. L3243-2",
  },
  weight = 2,
}

criterion {
  id = "RH-04",
  field = "RH",
  theme = "Droit social",
  level = "mandatory",
  statement = "Le document unique d'évaluation des risques professionnels couvre les postes de l'équipe d'appui et les risques propres "
    .. "aux activités des entrepreneurs ; il est mis à jour selon la périodicité réglementaire et assorti d'actions de prévention.",
  guidance = "Satisfait totalement : le document est daté, couvre les familles de métiers des entrepreneurs et les actions sont suivies. "
    .. "Partiellement : le document existe mais ne couvre que l'équipe d'appui ou n'a pas été mis à jour.",
  evidence = {
    "Document unique d'évaluation des risques professionnels",
    "Programme ou liste des actions de prévention",
  },
  legal = {
    "Code du travail, art. L4121-3",
    "Code du travail, art. R4121-1 et suivants",
  },
}

criterion {
  id = "RH-05",
  field = "RH",
  theme = "Droit social",
  level = "mandatory",
  statement = "Chaque salarié, entrepreneurs compris, bénéficie du suivi individuel de son état de santé par le service de prévention "
    .. "et de santé au travail auquel la CAE adhère.",
  guidance = "Satisfait totalement : l'adhésion est à jour et les visites d'information et de prévention sont demandées pour chaque "
    .. "nouvel entrant. Partiellement : l'adhésion existe mais une partie des entrepreneurs n'a bénéficié d'aucune visite.",
  evidence = {
    "Attestation d'adhésion au service de prévention et de santé au travail",
    "Tableau de suivi des visites",
  },
  legal = { "Code du travail, art. L4624-1" },
}

criterion {
  id = "RH-06",
  field = "RH",
  theme = "Droit social",
  level = "mandatory",
  statement = "L'ensemble des salariés, entrepreneurs compris, bénéficie de la couverture complémentaire santé collective et des garanties "
    .. "de prévoyance prévues par la loi et la convention collective applicable.",
  guidance = "Satisfait totalement : les contrats collectifs sont en vigueur, les affiliations sont à jour et les dispenses éventuelles "
    .. "sont justifiées. Partiellement : la couverture existe mais des affiliations manquent ou des dispenses ne sont pas documentées.",
  evidence = {
    "Contrats collectifs santé et prévoyance",
    "Acte de mise en place (décision unilatérale ou accord)",
    "Justificatifs des dispenses d'affiliation",
  },
  legal = { "Code de la sécurité sociale, art. L911-7" },
}

criterion {
  id = "RH-07",
  field = "RH",
  theme = "Droit social",
  level = "mandatory",
  statement = "La CAE applique les règles de durée du travail et de congés payés : contrats de l'équipe d'appui précisant la durée "
    .. "du travail, suivi des congés acquis, pris et restant à prendre pour chaque salarié, entrepreneurs compris.",
  guidance = "Satisfait totalement : les contrats à temps partiel comportent les mentions légales et le suivi des congés figure sur les "
    .. "bulletins ou dans les comptes rendus d'entretien. Partiellement : le suivi des congés n'est pas assuré pour les entrepreneurs.",
  evidence = {
    "Contrats de travail de l'équipe d'appui",
    "État des congés payés par salarié",
  },
  legal = {
    "Code du travail, art. L3123-6",
    "Code du travail, art. L3141-1",
  },
}

criterion {
  id = "RH-08",
  field = "RH",
  theme = "Droit social",
  level = "mandatory",
  statement = "Lorsque son effectif atteint vingt salariés, la CAE remplit son obligation d'emploi des travailleurs handicapés "
    .. "et la déclare chaque année.",
  guidance = "Satisfait totalement : la déclaration annuelle est faite et l'obligation est remplie par l'emploi direct, les modalités "
    .. "alternatives ou la contribution. Partiellement : la déclaration est faite mais aucune action n'est menée hors contribution financière. "
    .. "Non applicable en dessous de vingt salariés.",
  evidence = {
    "Déclaration annuelle d'obligation d'emploi des travailleurs handicapés",
    "Calcul de l'effectif d'assujettissement",
  },
  legal = { "Code du travail, art. L5212-2" },
  na_allowed = true,
}

criterion {
  id = "RH-09",
  field = "RH",
  theme = "Droit social",
  level = "mandatory",
  statement = "Lorsque son effectif atteint cinquante salariés, la CAE dispose d'un règlement intérieur conforme au Code du travail, "
    .. "porté à la connaissance des salariés et transmis à l'inspection du travail.",
  guidance = "Satisfait totalement : le règlement est à jour (santé, sécurité, discipline, harcèlement), affiché ou diffusé, et les "
    .. "formalités de dépôt sont faites. Partiellement : le règlement existe mais il est incomplet ou ses formalités n'ont pas été accomplies. "
    .. "Non applicable en dessous du seuil.",
  evidence = {
    "Règlement intérieur en vigueur",
    "Preuves de transmission à l'inspection du travail et de dépôt au greffe du conseil de prud'hommes",
  },
  legal = { "Code du travail, art. L1311-2" },
  na_allowed = true,
}

-- ---------------------------------------------------------------------------
-- Politique salariale
-- ---------------------------------------------------------------------------

criterion {
  id = "RH-10",
  field = "RH",
  theme = "Politique salariale",
  level = "mandatory",
  statement = "Les règles de calcul de la rémunération des entrepreneurs (part fixe mensuelle, part variable, régularisation en fin "
    .. "d'exercice) sont écrites, appliquées de façon identique à tous et expliquées à chaque entrepreneur.",
  guidance = "Satisfait totalement : les règles figurent dans un document de référence, un échantillon de calculs est conforme et la "
    .. "régularisation annuelle est versée dans les délais. Partiellement : les règles sont appliquées mais ne sont pas écrites, "
    .. "ou la régularisation annuelle est tardive.",
  evidence = {
    "Document décrivant les règles de rémunération des entrepreneurs",
    "Échantillon de calculs de part variable et de régularisation",
  },
  legal = {
    "Code du travail, art. L7332-3",
    "Décret n° 2015-1363 du 27 octobre 2015 relatif aux CAE et aux entrepreneurs salariés",
  },
  weight = 2,
}

criterion {
  id = "RH-11",
  field = "RH",
  theme = "Politique salariale",
  level = "recommended",
  statement = "La rémunération de l'équipe d'appui repose sur une grille salariale écrite, conforme à la convention collective applicable "
    .. "et connue des salariés concernés.",
  guidance = "Satisfait totalement : la grille est écrite, adoptée par l'instance dirigeante et diffusée à l'équipe. "
    .. "Partiellement : une grille existe mais elle n'est pas diffusée ou n'est pas appliquée à tous.",
  evidence = {
    "Grille salariale de l'équipe d'appui",
    "Décision d'adoption",
  },
}

criterion {
  id = "RH-12",
  field = "RH",
  theme = "Politique salariale",
  level = "recommended",
  statement = "Les règles de partage de la valeur (part travail, participation, intéressement, épargne salariale) sont expliquées à tous "
    .. "les salariés, entrepreneurs compris, à leur entrée et après chaque affectation du résultat.",
  guidance = "Satisfait totalement : une information écrite est remise et une présentation est faite chaque année. "
    .. "Partiellement : l'information n'est délivrée qu'aux associés.",
  evidence = {
    "Accords de participation ou d'intéressement",
    "Support d'information remis aux salariés",
  },
}

criterion {
  id = "RH-13",
  field = "RH",
  theme = "Politique salariale",
  level = "recommended",
  statement = "La CAE met à la disposition des entrepreneurs un outil ou un accompagnement permettant de simuler leur rémunération "
    .. "à partir de leur chiffre d'affaires prévisionnel et de leurs charges.",
  guidance = "Satisfait totalement : le simulateur est accessible à tous et utilisé lors des entretiens d'accompagnement. "
    .. "Partiellement : les simulations sont faites à la demande, sans outil partagé.",
  evidence = {
    "Outil de simulation de rémunération",
    "Exemple de simulation réalisée en entretien",
  },
}

criterion {
  id = "RH-14",
  field = "RH",
  theme = "Politique salariale",
  level = "advised",
  statement = "L'écart entre les rémunérations les plus élevées et les plus basses au sein de la coopérative est mesuré chaque année "
    .. "et communiqué aux associés.",
  guidance = "Satisfait totalement : l'indicateur est calculé selon une méthode stable et présenté en assemblée générale. "
    .. "Partiellement : l'indicateur est calculé mais n'est pas communiqué.",
  evidence = {
    "Calcul de l'écart de rémunération",
    "Rapport de gestion ou support d'assemblée le mentionnant",
  },
}

-- ---------------------------------------------------------------------------
-- Dialogue social et communication interne
-- ---------------------------------------------------------------------------

criterion {
  id = "RH-15",
  field = "RH",
  theme = "Dialogue social et communication interne",
  level = "mandatory",
  statement = "Lorsque l'effectif d'au moins onze salariés est atteint pendant douze mois consécutifs, un comité social et économique "
    .. "est mis en place, ses élections sont organisées et ses membres disposent des moyens prévus.",
  guidance = "Satisfait totalement : les élections ont eu lieu dans les délais, les réunions se tiennent et leurs procès-verbaux sont "
    .. "diffusés ; un procès-verbal de carence régulier vaut satisfaction. Partiellement : le comité existe mais ne se réunit pas selon "
    .. "la périodicité légale. Non applicable en dessous du seuil d'effectif.",
  evidence = {
    "Procès-verbaux des dernières élections ou de carence",
    "Procès-verbaux des réunions du comité social et économique",
  },
  legal = { "Code du travail, art. L2311-2" },
  na_allowed = true,
}

criterion {
  id = "RH-16",
  field = "RH",
  theme = "Dialogue social et communication interne",
  level = "recommended",
  statement = "La CAE organise au moins deux fois par an des réunions ouvertes à tous les entrepreneurs et à l'équipe d'appui sur la vie "
    .. "de la coopérative, ses résultats et ses projets.",
  guidance = "Satisfait totalement : les réunions ont lieu au moins deux fois par an et leurs comptes rendus sont diffusés. "
    .. "Partiellement : une seule réunion par an ou sans compte rendu.",
  evidence = {
    "Invitations et comptes rendus des réunions",
  },
}

criterion {
  id = "RH-17",
  field = "RH",
  theme = "Dialogue social et communication interne",
  level = "recommended",
  statement = "Des outils de communication interne (lettre d'information, espace numérique partagé, annuaire des entrepreneurs) "
    .. "sont tenus à jour et accessibles à tous.",
  guidance = "Satisfait totalement : les outils sont actifs et consultés, leur contenu est récent. "
    .. "Partiellement : les outils existent mais sont peu alimentés.",
  evidence = {
    "Exemples de lettres d'information",
    "Accès à l'espace partagé ou à l'annuaire",
  },
}

criterion {
  id = "RH-18",
  field = "RH",
  theme = "Dialogue social et communication interne",
  level = "recommended",
  statement = "Une procédure connue de tous permet aux entrepreneurs et à l'équipe d'appui de formuler une réclamation et d'obtenir "
    .. "une réponse, avec une voie de médiation en cas de désaccord.",
  guidance = "Satisfait totalement : la procédure est écrite, diffusée et les réclamations sont enregistrées avec leur suite. "
    .. "Partiellement : les réclamations sont traitées mais sans procédure écrite ni traçabilité.",
  evidence = {
    "Procédure de réclamation et de médiation",
    "Registre des réclamations",
  },
}

criterion {
  id = "RH-19",
  field = "RH",
  theme = "Dialogue social et communication interne",
  level = "advised",
  statement = "Une enquête de climat social ou de satisfaction est menée périodiquement auprès des entrepreneurs et de l'équipe d'appui, "
    .. "et ses résultats sont partagés.",
  guidance = "Satisfait totalement : l'enquête est conduite au moins tous les deux ans et ses résultats donnent lieu à des actions. "
    .. "Partiellement : une enquête a été menée mais ses résultats n'ont pas été partagés.",
  evidence = {
    "Questionnaire et synthèse des résultats",
  },
}

-- ---------------------------------------------------------------------------
-- Formation et compétences
-- ---------------------------------------------------------------------------

criterion {
  id = "RH-20",
  field = "RH",
  theme = "Formation et compétences",
  level = "mandatory",
  statement = "Chaque salarié, entrepreneurs compris, bénéficie d'un entretien professionnel tous les deux ans et d'un état des lieux "
    .. "récapitulatif tous les six ans.",
  guidance = "Satisfait totalement : les entretiens sont réalisés dans les délais, formalisés par écrit et remis au salarié ; pour les "
    .. "entrepreneurs, ils peuvent être couplés aux entretiens d'accompagnement. Partiellement : des entretiens manquent ou ne sont pas écrits.",
  evidence = {
    "Tableau de suivi des entretiens professionnels",
    "Échantillon de comptes rendus d'entretien",
  },
  legal = { "Code du travail, art. L6315-1" },
}

criterion {
  id = "RH-21",
  field = "RH",
  theme = "Formation et compétences",
  level = "mandatory",
  statement = "La CAE s'acquitte de sa contribution à la formation professionnelle, informe les salariés de leurs droits (compte "
    .. "personnel de formation, financements de l'opérateur de compétences) et veille à leur adaptation à leur poste.",
  guidance = "Satisfait totalement : la contribution est versée et une information écrite sur les droits à la formation est remise. "
    .. "Partiellement : la contribution est versée mais les salariés ne sont pas informés de leurs droits.",
  evidence = {
    "Justificatif de versement de la contribution à la formation",
    "Support d'information sur les droits à la formation",
  },
  legal = {
    "Code du travail, art. L6131-1",
    "Code du travail, art. L6321-1",
  },
}

criterion {
  id = "RH-22",
  field = "RH",
  theme = "Formation et compétences",
  level = "recommended",
  statement = "Un plan de développement des compétences annuel est construit à partir des besoins recueillis auprès de l'équipe d'appui "
    .. "et des entrepreneurs, et sa réalisation est suivie.",
  guidance = "Satisfait totalement : le plan est écrit, budgété et un bilan de réalisation est fait en fin d'année. "
    .. "Partiellement : des formations sont suivies mais sans plan ni recueil des besoins.",
  evidence = {
    "Plan de développement des compétences",
    "Bilan des formations réalisées",
  },
}

-- ---------------------------------------------------------------------------
-- Égalité femmes-hommes
-- ---------------------------------------------------------------------------

criterion {
  id = "RH-23",
  field = "RH",
  theme = "Égalité femmes-hommes",
  level = "mandatory",
  statement = "Lorsque son effectif atteint cinquante salariés, la CAE calcule et publie chaque année son index de l'égalité "
    .. "professionnelle, le transmet à l'administration et définit des mesures de correction si nécessaire.",
  guidance = "Satisfait totalement : l'index est publié dans les délais et transmis au comité social et économique et à l'administration, "
    .. "avec des mesures de correction si le niveau requis n'est pas atteint. Partiellement : l'index est calculé mais non publié ou "
    .. "sans mesures de correction. Non applicable en dessous du seuil.",
  evidence = {
    "Calcul et publication de l'index",
    "Accusé de transmission à l'administration",
  },
  legal = { "Code du travail, art. L1142-8" },
  na_allowed = true,
}

criterion {
  id = "RH-24",
  field = "RH",
  theme = "Égalité femmes-hommes",
  level = "mandatory",
  statement = "La CAE applique l'égalité de rémunération entre les femmes et les hommes et met en œuvre des actions de prévention "
    .. "du harcèlement sexuel et des agissements sexistes, avec une information de tous les salariés.",
  guidance = "Satisfait totalement : les règles de rémunération sont identiques pour tous, l'information obligatoire est diffusée et une "
    .. "procédure de signalement existe. Partiellement : l'information est diffusée mais aucune procédure de signalement n'est prévue.",
  evidence = {
    "Affichage ou information sur le harcèlement sexuel",
    "Procédure de signalement et désignation des référents le cas échéant",
  },
  legal = {
    "Code du travail, art. L3221-2",
    "Code du travail, art. L1153-5",
  },
}

criterion {
  id = "RH-25",
  field = "RH",
  theme = "Égalité femmes-hommes",
  level = "recommended",
  statement = "La CAE suit des indicateurs sexués (accueil, entrée en contrat, chiffre d'affaires, rémunération, sociétariat, accès "
    .. "aux instances) et en tire des actions pour réduire les écarts constatés.",
  guidance = "Satisfait totalement : les indicateurs sont produits chaque année, analysés et assortis d'actions. "
    .. "Partiellement : certains indicateurs sont produits mais ne donnent lieu à aucune action.",
  evidence = {
    "Tableau des indicateurs sexués",
    "Plan d'action égalité",
  },
}
