-- ============================================================================
-- LABEL CPE - Référentiel d'exemple - Champ 1 : Juridique et financier
--
-- ATTENTION : ce fichier est un RÉFÉRENTIEL D'EXEMPLE. Il a été rédigé à partir
-- de la description publique du label Coopérer Pour Entreprendre et du cadre
-- légal des CAE (loi ESS du 31 juillet 2014, Code du travail, Code de commerce,
-- loi du 10 septembre 1947 portant statut de la coopération, loi SCOP du
-- 19 juillet 1978). Il ne reproduit pas le référentiel officiel du label,
-- réservé aux CAE sociétaires du réseau.
--
-- Le Comité de Labellisation le remplace par son texte officiel en modifiant
-- ces fichiers Lua : aucune recompilation de la plateforme n'est nécessaire.
--
-- Fonctions disponibles : field { ... } et criterion { ... }.
-- Niveaux : "mandatory" (obligatoire), "recommended" (recommandé),
--           "advised" (conseillé).
-- ============================================================================

field {
  id = "JF",
  name = "Juridique et financier",
  themes = { "Droit coopératif", "Droit des sociétés", "Équilibre financier" },
}

-- ---------------------------------------------------------------------------
-- Droit coopératif
-- ---------------------------------------------------------------------------

criterion {
  id = "JF-01",
  field = "JF",
  theme = "Droit coopératif",
  level = "mandatory",
  statement = "La CAE est constituée en société coopérative (SCOP ou SCIC) dont les statuts définissent son objet de coopérative "
    .. "d'activité et d'emploi, les moyens mis en commun et les principes de rémunération et de contribution des entrepreneurs.",
  guidance = "Satisfait totalement : les statuts à jour décrivent l'appui à la création et au développement d'activités économiques "
    .. "par des entrepreneurs personnes physiques, les services mutualisés proposés et les principes de contribution et de rémunération. "
    .. "Partiellement : l'objet de CAE figure dans les statuts mais les services mutualisés ou les principes de contribution n'y sont pas définis.",
  evidence = {
    "Statuts à jour certifiés conformes",
    "Extrait Kbis de moins de trois mois",
    "Procès-verbal de l'assemblée ayant adopté la dernière version des statuts",
  },
  legal = {
    "Loi n° 2014-856 du 31 juillet 2014 relative à l'ESS, art. 47",
    "Loi n° 47-1775 du 10 septembre 1947 portant statut de la coopération",
    "Décret n° 2015-1363 du 27 octobre 2015 relatif aux CAE et aux entrepreneurs salariés",
  },
  weight = 2,
}

criterion {
  id = "JF-02",
  field = "JF",
  theme = "Droit coopératif",
  level = "mandatory",
  statement = "Les instances de la coopérative fonctionnent selon les règles démocratiques prévues par les statuts (une personne, une voix, "
    .. "le cas échéant au sein de collèges) et le registre des associés retrace toutes les souscriptions, libérations et remboursements de parts.",
  guidance = "Satisfait totalement : le registre des associés est à jour et concorde avec le capital inscrit au bilan ; les votes en assemblée "
    .. "respectent la règle statutaire. Partiellement : le registre existe mais présente des écarts non expliqués avec la comptabilité "
    .. "ou des retards d'enregistrement.",
  evidence = {
    "Registre des associés et des mouvements de capital",
    "Feuilles de présence et procès-verbaux des dernières assemblées",
    "Rapprochement entre le registre et le capital social comptabilisé",
  },
  legal = {
    "Loi n° 47-1775 du 10 septembre 1947 portant statut de la coopération",
    "Code de commerce, art. L231-1 et suivants (sociétés à capital variable)",
  },
}

criterion {
  id = "JF-03",
  field = "JF",
  theme = "Droit coopératif",
  level = "mandatory",
  statement = "Chaque entrepreneur-salarié devient associé de la coopérative au plus tard trois ans après le début de son contrat, "
    .. "faute de quoi le contrat prend fin ; la CAE suit cette échéance pour chaque entrepreneur.",
  guidance = "Satisfait totalement : un tableau de suivi indique pour chaque entrepreneur la date de début de contrat et l'échéance de sociétariat, "
    .. "les candidatures sont instruites selon la procédure statutaire et aucun dépassement n'est constaté. "
    .. "Partiellement : le suivi existe mais n'est pas à jour, ou quelques situations dépassent le délai sans décision formalisée.",
  evidence = {
    "Tableau de suivi des échéances de sociétariat",
    "Décisions d'admission des nouveaux associés",
    "Bulletins de souscription de parts sociales des entrepreneurs",
  },
  legal = { "Code du travail, art. L7331-3" },
  weight = 2,
}

criterion {
  id = "JF-04",
  field = "JF",
  theme = "Droit coopératif",
  level = "mandatory",
  statement = "Lorsque la CAE est une SCOP, les salariés associés détiennent au moins 51 % du capital et 65 % des droits de vote.",
  guidance = "Satisfait totalement : la répartition du capital et des droits de vote, calculée à la date de l'audit et à la dernière clôture, "
    .. "respecte les seuils. Partiellement : les seuils sont respectés mais la CAE ne les calcule ni ne les suit. "
    .. "Non applicable lorsque la CAE est une SCIC.",
  evidence = {
    "Tableau de répartition du capital et des droits de vote par catégorie d'associés",
    "Registre des associés",
  },
  legal = { "Loi n° 78-763 du 19 juillet 1978 portant statut des sociétés coopératives ouvrières de production" },
  na_allowed = true,
}

criterion {
  id = "JF-05",
  field = "JF",
  theme = "Droit coopératif",
  level = "mandatory",
  statement = "Lorsque la CAE est une SCIC, son sociétariat réunit au moins trois catégories d'associés, dont les salariés et les bénéficiaires, "
    .. "et les collèges de vote éventuels respectent la loi et les statuts.",
  guidance = "Satisfait totalement : chaque catégorie légale est représentée et les droits de vote des collèges sont conformes aux statuts. "
    .. "Partiellement : les catégories existent mais l'une d'elles n'est plus représentée ou la pondération des collèges n'est pas appliquée. "
    .. "Non applicable lorsque la CAE est une SCOP.",
  evidence = {
    "Statuts précisant les catégories d'associés et les collèges",
    "Registre des associés par catégorie",
    "Procès-verbal de la dernière assemblée générale avec le décompte des votes par collège",
  },
  legal = { "Loi n° 47-1775 du 10 septembre 1947, titre II ter (SCIC)" },
  na_allowed = true,
}

criterion {
  id = "JF-06",
  field = "JF",
  theme = "Droit coopératif",
  level = "mandatory",
  statement = "La CAE se soumet à la révision coopérative selon la périodicité légale et le rapport du réviseur agréé est présenté "
    .. "à l'assemblée générale avec les suites données à ses observations.",
  guidance = "Satisfait totalement : la dernière révision date de moins de cinq ans (ou de la périodicité applicable), son rapport a été "
    .. "présenté en assemblée et les observations ont fait l'objet d'actions. Partiellement : la révision a eu lieu mais le rapport n'a pas "
    .. "été présenté aux associés ou ses observations sont restées sans suite.",
  evidence = {
    "Dernier rapport de révision coopérative",
    "Procès-verbal de l'assemblée générale l'ayant examiné",
    "Plan de suivi des observations du réviseur",
  },
  legal = { "Loi n° 47-1775 du 10 septembre 1947, art. 25-1 et suivants" },
  weight = 2,
}

criterion {
  id = "JF-07",
  field = "JF",
  theme = "Droit coopératif",
  level = "mandatory",
  statement = "L'affectation des excédents votée en assemblée générale respecte le statut coopératif applicable (réserves impartageables, "
    .. "part travail pour les SCOP, rémunération plafonnée du capital) et les statuts de la CAE.",
  guidance = "Satisfait totalement : la résolution d'affectation du résultat détaille les dotations et leur conformité aux pourcentages légaux "
    .. "et statutaires. Partiellement : l'affectation est conforme mais n'est ni détaillée ni justifiée dans la résolution présentée aux associés.",
  evidence = {
    "Résolution d'affectation du résultat des trois derniers exercices",
    "Tableau de calcul de la répartition des excédents",
  },
  legal = {
    "Loi n° 47-1775 du 10 septembre 1947 portant statut de la coopération",
    "Loi n° 78-763 du 19 juillet 1978 portant statut des sociétés coopératives ouvrières de production",
  },
}

criterion {
  id = "JF-08",
  field = "JF",
  theme = "Droit coopératif",
  level = "recommended",
  statement = "Les nouveaux associés reçoivent une information ou une formation sur le fonctionnement coopératif, leurs droits et leurs "
    .. "responsabilités (gouvernance, capital, affectation des résultats).",
  guidance = "Satisfait totalement : un module ou un support dédié est proposé à chaque nouvel associé et la participation est suivie. "
    .. "Partiellement : l'information existe mais n'est délivrée qu'au cas par cas, sans support ni suivi.",
  evidence = {
    "Support de formation ou guide de l'associé",
    "Liste d'émargement des sessions d'information",
  },
}

-- ---------------------------------------------------------------------------
-- Droit des sociétés
-- ---------------------------------------------------------------------------

criterion {
  id = "JF-09",
  field = "JF",
  theme = "Droit des sociétés",
  level = "mandatory",
  statement = "L'assemblée générale ordinaire approuve les comptes dans les six mois suivant la clôture de l'exercice ; convocations, "
    .. "feuilles de présence et procès-verbaux signés sont conservés dans le registre des délibérations.",
  guidance = "Satisfait totalement : pour les trois derniers exercices, l'assemblée s'est tenue dans le délai (ou sur prorogation judiciaire) "
    .. "et le registre est complet. Partiellement : les assemblées se sont tenues mais un procès-verbal manque ou n'est pas signé.",
  evidence = {
    "Registre des délibérations des assemblées",
    "Convocations et feuilles de présence des trois dernières assemblées",
  },
  legal = { "Code de commerce, art. L223-26 (SARL) et L225-100 (SA)" },
}

criterion {
  id = "JF-10",
  field = "JF",
  theme = "Droit des sociétés",
  level = "mandatory",
  statement = "Les documents prévus par la loi et les statuts (comptes annuels, rapport de gestion, rapports du réviseur ou du commissaire "
    .. "aux comptes, projets de résolutions) sont mis à la disposition des associés dans les délais légaux avant l'assemblée.",
  guidance = "Satisfait totalement : la date d'envoi ou de mise à disposition est tracée et respecte les délais ; le rapport de gestion est "
    .. "complet. Partiellement : les documents sont transmis mais tardivement ou de manière incomplète.",
  evidence = {
    "Rapport de gestion du dernier exercice",
    "Preuve d'envoi ou de mise à disposition des documents aux associés",
  },
  legal = { "Code de commerce, art. L223-26 (SARL) et L225-115 (SA)" },
}

criterion {
  id = "JF-11",
  field = "JF",
  theme = "Droit des sociétés",
  level = "mandatory",
  statement = "Les comptes annuels sont déposés au greffe dans les délais et les formalités modificatives (dirigeants, siège, statuts) "
    .. "sont accomplies au registre du commerce et des sociétés.",
  guidance = "Satisfait totalement : les dépôts des trois derniers exercices sont effectués et le Kbis reflète la situation réelle. "
    .. "Partiellement : les dépôts sont faits mais une formalité modificative est en retard.",
  evidence = {
    "Récépissés de dépôt des comptes au greffe",
    "Extrait Kbis de moins de trois mois",
  },
  legal = { "Code de commerce, art. L232-21 et suivants" },
}

criterion {
  id = "JF-12",
  field = "JF",
  theme = "Droit des sociétés",
  level = "mandatory",
  statement = "Lorsque les seuils légaux sont dépassés ou que les statuts le prévoient, la CAE a désigné un commissaire aux comptes "
    .. "dont les rapports sont présentés à l'assemblée générale.",
  guidance = "Satisfait totalement : le mandat est en cours et les rapports du dernier exercice ont été présentés aux associés. "
    .. "Partiellement : le commissaire aux comptes est désigné mais ses rapports n'ont pas été présentés ou son mandat est échu. "
    .. "Non applicable lorsque la CAE n'est soumise à aucune obligation légale ou statutaire de désignation.",
  evidence = {
    "Décision de nomination du commissaire aux comptes",
    "Rapports général et spécial du dernier exercice",
    "Calcul des seuils (bilan, chiffre d'affaires, effectif) à la dernière clôture",
  },
  legal = { "Code de commerce, livre VIII, titre II (commissaires aux comptes)" },
  na_allowed = true,
}

criterion {
  id = "JF-13",
  field = "JF",
  theme = "Droit des sociétés",
  level = "mandatory",
  statement = "Les mandats des dirigeants sont en cours de validité et les délégations de pouvoir et de signature (engagements commerciaux, "
    .. "bancaires, sociaux), y compris celles consenties aux entrepreneurs, sont écrites, datées et bornées.",
  guidance = "Satisfait totalement : chaque personne qui engage la CAE dispose d'une délégation écrite précisant son périmètre et ses limites. "
    .. "Partiellement : des délégations existent mais certaines pratiques d'engagement (devis, contrats, achats) ne sont pas couvertes.",
  evidence = {
    "Décisions de nomination des dirigeants",
    "Délégations de pouvoir et de signature en vigueur",
    "Règles d'engagement des entrepreneurs (signature des devis et contrats)",
  },
}

criterion {
  id = "JF-14",
  field = "JF",
  theme = "Droit des sociétés",
  level = "mandatory",
  statement = "Les conventions conclues entre la coopérative et ses dirigeants ou certains associés suivent la procédure légale des "
    .. "conventions réglementées (autorisation ou rapport spécial, vote de l'assemblée).",
  guidance = "Satisfait totalement : les conventions concernées sont recensées et approuvées selon la procédure, ou leur absence est "
    .. "attestée chaque année. Partiellement : les conventions sont connues mais la procédure n'est pas entièrement suivie.",
  evidence = {
    "Rapport spécial sur les conventions réglementées",
    "Procès-verbal d'assemblée statuant sur ces conventions",
  },
  legal = { "Code de commerce, art. L223-19 (SARL), L225-38 (SA) et L227-10 (SAS)" },
}

criterion {
  id = "JF-15",
  field = "JF",
  theme = "Droit des sociétés",
  level = "recommended",
  statement = "Un règlement intérieur coopératif, adopté selon les statuts, précise les conditions d'admission et de sortie des associés, "
    .. "le fonctionnement des instances et les droits et devoirs de chacun.",
  guidance = "Satisfait totalement : le règlement est à jour, adopté par l'instance compétente et remis à chaque associé. "
    .. "Partiellement : un règlement existe mais il est ancien, incomplet ou peu diffusé.",
  evidence = {
    "Règlement intérieur coopératif en vigueur",
    "Décision d'adoption ou de mise à jour",
  },
}

-- ---------------------------------------------------------------------------
-- Équilibre financier
-- ---------------------------------------------------------------------------

criterion {
  id = "JF-16",
  field = "JF",
  theme = "Équilibre financier",
  level = "mandatory",
  statement = "Un budget prévisionnel annuel de la structure (charges de fonctionnement, contributions attendues, subventions) est approuvé "
    .. "par l'instance dirigeante et son exécution est suivie au moins chaque trimestre.",
  guidance = "Satisfait totalement : le budget est voté avant ou en début d'exercice et des comparaisons budget/réalisé trimestrielles "
    .. "sont présentées à l'instance dirigeante. Partiellement : un budget existe mais il n'est pas suivi en cours d'exercice.",
  evidence = {
    "Budget prévisionnel de l'exercice en cours",
    "Tableaux de suivi budget/réalisé",
    "Comptes rendus de l'instance dirigeante",
  },
}

criterion {
  id = "JF-17",
  field = "JF",
  theme = "Équilibre financier",
  level = "mandatory",
  statement = "Le taux et l'assiette de la contribution des entrepreneurs au financement des services mutualisés sont fixés selon les "
    .. "principes statutaires, votés par l'instance compétente et communiqués à chaque entrepreneur avant leur application.",
  guidance = "Satisfait totalement : la décision fixant la contribution est écrite, les contrats y renvoient et tout changement est notifié "
    .. "à l'avance. Partiellement : la contribution est appliquée de façon homogène mais sa décision ou sa communication n'est pas formalisée.",
  evidence = {
    "Décision fixant le taux et l'assiette de la contribution",
    "Clause des contrats d'entrepreneur relative à la contribution",
    "Communication aux entrepreneurs lors du dernier changement",
  },
  legal = {
    "Code du travail, art. L7331-2",
    "Décret n° 2015-1363 du 27 octobre 2015 relatif aux CAE et aux entrepreneurs salariés",
  },
  weight = 2,
}

criterion {
  id = "JF-18",
  field = "JF",
  theme = "Équilibre financier",
  level = "mandatory",
  statement = "La CAE suit le niveau de ses capitaux propres et, lorsqu'ils deviennent inférieurs à la moitié du capital social, "
    .. "met en œuvre dans les délais la procédure légale de consultation des associés.",
  guidance = "Satisfait totalement : les capitaux propres sont présentés chaque année à l'instance dirigeante et, le cas échéant, la "
    .. "procédure a été suivie avec un plan de reconstitution. Partiellement : la situation est connue mais la procédure n'a pas été engagée "
    .. "dans les délais.",
  evidence = {
    "Bilans des trois derniers exercices",
    "Le cas échéant, décision des associés sur la poursuite de l'activité",
  },
  legal = { "Code de commerce, art. L223-42 (SARL) et L225-248 (SA)" },
}

criterion {
  id = "JF-19",
  field = "JF",
  theme = "Équilibre financier",
  level = "recommended",
  statement = "La CAE établit un plan de trésorerie prévisionnel sur douze mois glissants, distinguant la trésorerie de la structure de celle "
    .. "revenant aux activités des entrepreneurs, et le met à jour chaque mois.",
  guidance = "Satisfait totalement : le plan est mis à jour mensuellement et les écarts significatifs sont analysés. "
    .. "Partiellement : un plan existe mais il est mis à jour irrégulièrement ou ne distingue pas les deux trésoreries.",
  evidence = {
    "Plan de trésorerie prévisionnel en vigueur",
    "Deux mises à jour mensuelles récentes",
  },
}

criterion {
  id = "JF-20",
  field = "JF",
  theme = "Équilibre financier",
  level = "recommended",
  statement = "La CAE analyse la structure de ses ressources (contribution des entrepreneurs, subventions, prestations) et met en œuvre "
    .. "une stratégie limitant sa dépendance aux financements publics.",
  guidance = "Satisfait totalement : la part de chaque ressource est suivie sur plusieurs exercices et des objectifs de diversification sont "
    .. "fixés. Partiellement : la structure des ressources est connue mais aucune orientation n'est définie.",
  evidence = {
    "Analyse pluriannuelle des ressources",
    "Orientations ou plan stratégique mentionnant la diversification",
  },
}

criterion {
  id = "JF-21",
  field = "JF",
  theme = "Équilibre financier",
  level = "recommended",
  statement = "Un tableau de bord financier (chiffre d'affaires des entrepreneurs, produits de contribution, charges de structure, "
    .. "point mort, trésorerie) est présenté régulièrement à l'instance dirigeante et aux associés.",
  guidance = "Satisfait totalement : le tableau de bord est produit au moins chaque trimestre et commenté en instance. "
    .. "Partiellement : les indicateurs existent mais ne sont présentés qu'une fois par an.",
  evidence = {
    "Derniers tableaux de bord financiers",
    "Comptes rendus d'instance où ils ont été présentés",
  },
}

criterion {
  id = "JF-22",
  field = "JF",
  theme = "Équilibre financier",
  level = "advised",
  statement = "La CAE s'est fixé un objectif de fonds propres ou de réserves (par exemple plusieurs mois de charges de structure) "
    .. "et suit sa progression.",
  guidance = "Satisfait totalement : l'objectif est chiffré, voté et suivi chaque année. "
    .. "Partiellement : l'objectif est évoqué mais n'est ni chiffré ni suivi.",
  evidence = {
    "Décision fixant l'objectif de fonds propres",
    "Suivi annuel de l'objectif",
  },
}
