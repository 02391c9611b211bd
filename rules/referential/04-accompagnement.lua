-- ============================================================================
-- LABEL CPE - Référentiel d'exemple - Champ 4 : Accompagnement
--
-- ATTENTION : ce fichier est un RÉFÉRENTIEL D'EXEMPLE. Il a été rédigé à partir
-- de la description publique du label Coopérer Pour Entreprendre et du cadre
-- légal des CAE (loi ESS du 31 juillet 2014, Code du travail, Code de commerce
-- pour le contrat d'appui au projet d'entreprise, décret du 27 octobre 2015
-- relatif aux CAE). Il ne reproduit pas le référentiel officiel du label,
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
  id = "AC",
  name = "Accompagnement",
  themes = { "Accueil et intégration", "Développement et animation", "Compétences et pédagogie" },
}

-- ---------------------------------------------------------------------------
-- Accueil et intégration
-- ---------------------------------------------------------------------------

criterion {
  id = "AC-01",
  field = "AC",
  theme = "Accueil et intégration",
  level = "mandatory",
  statement = "Avant toute contractualisation, chaque candidat reçoit une information présentant le fonctionnement de la CAE, le statut "
    .. "d'entrepreneur-salarié, la contribution, les engagements réciproques et le parcours vers le sociétariat.",
  guidance = "Satisfait totalement : des réunions d'information régulières s'appuient sur un support écrit et la présence des candidats "
    .. "est tracée. Partiellement : l'information est donnée oralement, sans support ni trace.",
  evidence = {
    "Support de la réunion d'information",
    "Calendrier et listes de présence des réunions",
  },
}

criterion {
  id = "AC-02",
  field = "AC",
  theme = "Accueil et intégration",
  level = "mandatory",
  statement = "L'entrée dans la CAE repose sur des critères d'accueil écrits et non discriminatoires et sur un diagnostic du projet "
    .. "dont la conclusion est formalisée et motivée.",
  guidance = "Satisfait totalement : les critères sont publiés, chaque candidature donne lieu à un diagnostic écrit et les refus sont motivés. "
    .. "Partiellement : les critères existent mais les décisions d'entrée ne sont pas formalisées.",
  evidence = {
    "Critères d'accueil écrits",
    "Échantillon de diagnostics d'entrée",
    "Exemples de réponses motivées aux candidats",
  },
}

criterion {
  id = "AC-03",
  field = "AC",
  theme = "Accueil et intégration",
  level = "mandatory",
  statement = "Lorsque la CAE recourt au contrat d'appui au projet d'entreprise, chaque contrat est écrit, d'une durée de douze mois "
    .. "au plus renouvelable deux fois, et précise le programme d'appui et les engagements réciproques.",
  guidance = "Satisfait totalement : tous les contrats en cours respectent la durée et les renouvellements légaux et comportent les clauses "
    .. "requises. Partiellement : les contrats sont écrits mais certains dépassent la durée autorisée ou sont incomplets. "
    .. "Non applicable si la CAE ne conclut aucun contrat d'appui au projet d'entreprise.",
  evidence = {
    "Modèle de contrat d'appui au projet d'entreprise",
    "Tableau des contrats en cours avec dates de début et de renouvellement",
  },
  legal = {
    "Code de commerce, art. L127-1 à L127-7",
    "Code du travail, art. L5142-1 et suivants",
  },
  na_allowed = true,
}

criterion {
  id = "AC-04",
  field = "AC",
  theme = "Accueil et intégration",
  level = "mandatory",
  statement = "Avant le démarrage de toute activité, la CAE vérifie que l'entrepreneur remplit les conditions d'exercice réglementées "
    .. "(diplôme, carte professionnelle, agrément) et que l'activité est couverte par ses assurances, notamment en responsabilité civile.",
  guidance = "Satisfait totalement : une liste de contrôle est appliquée à chaque entrée et à chaque nouvelle activité, et l'assureur a "
    .. "confirmé la couverture des activités exercées. Partiellement : les vérifications sont faites mais ne sont pas tracées, "
    .. "ou certaines activités ne sont pas déclarées à l'assureur.",
  evidence = {
    "Liste de contrôle d'entrée complétée pour un échantillon d'entrepreneurs",
    "Attestations d'assurance responsabilité civile et liste des activités couvertes",
    "Copies des diplômes ou autorisations pour les activités réglementées",
  },
  weight = 2,
}

criterion {
  id = "AC-05",
  field = "AC",
  theme = "Accueil et intégration",
  level = "mandatory",
  statement = "Les objectifs d'activité et le minimum d'activité de chaque entrepreneur sont définis avec lui lors de son entrée en contrat "
    .. "et revus au moins une fois par an.",
  guidance = "Satisfait totalement : les objectifs figurent au contrat et leur révision est tracée dans les comptes rendus d'entretien. "
    .. "Partiellement : les objectifs figurent au contrat mais ne sont jamais revus.",
  evidence = {
    "Contrats mentionnant les objectifs et le minimum d'activité",
    "Comptes rendus d'entretien de révision des objectifs",
  },
  legal = { "Code du travail, art. L7331-2" },
}

criterion {
  id = "AC-06",
  field = "AC",
  theme = "Accueil et intégration",
  level = "recommended",
  statement = "Un parcours d'intégration formalisé (modules de démarrage sur la gestion, les outils et les règles de la CAE) est proposé "
    .. "à chaque nouvel entrepreneur dans ses premiers mois.",
  guidance = "Satisfait totalement : le parcours est décrit, programmé et la participation est suivie. "
    .. "Partiellement : des modules existent mais ne sont pas organisés en parcours.",
  evidence = {
    "Description du parcours d'intégration",
    "Suivi de participation des nouveaux entrepreneurs",
  },
}

criterion {
  id = "AC-07",
  field = "AC",
  theme = "Accueil et intégration",
  level = "recommended",
  statement = "Chaque nouvel entrepreneur reçoit un livret d'accueil à jour présentant l'organisation, les interlocuteurs, les procédures "
    .. "et les services mutualisés.",
  guidance = "Satisfait totalement : le livret est daté, à jour et remis à l'entrée. "
    .. "Partiellement : un livret existe mais il est obsolète ou n'est pas remis systématiquement.",
  evidence = {
    "Livret d'accueil en vigueur",
  },
}

criterion {
  id = "AC-08",
  field = "AC",
  theme = "Accueil et intégration",
  level = "advised",
  statement = "Chaque nouvel entrepreneur peut être parrainé par un entrepreneur associé expérimenté pendant sa période d'intégration.",
  guidance = "Satisfait totalement : un dispositif de parrainage est organisé et proposé à tous. "
    .. "Partiellement : des parrainages existent de manière informelle.",
  evidence = {
    "Description du dispositif de parrainage",
    "Liste des binômes en cours",
  },
}

-- ---------------------------------------------------------------------------
-- Développement et animation
-- ---------------------------------------------------------------------------

criterion {
  id = "AC-09",
  field = "AC",
  theme = "Développement et animation",
  level = "mandatory",
  statement = "Chaque entrepreneur bénéficie d'un accompagnement individuel par un référent identifié, avec au moins deux entretiens par an "
    .. "donnant lieu à un compte rendu écrit et signé.",
  guidance = "Satisfait totalement : pour un échantillon d'entrepreneurs, au moins deux comptes rendus signés par an couvrent le bilan de "
    .. "l'activité, les objectifs, les besoins de formation et le sociétariat. Partiellement : les entretiens ont lieu mais les comptes "
    .. "rendus manquent ou ne sont pas signés.",
  evidence = {
    "Échantillon de comptes rendus d'entretien signés",
    "Tableau de suivi des entretiens par référent",
  },
  legal = { "Décret n° 2015-1363 du 27 octobre 2015 relatif aux CAE et aux entrepreneurs salariés" },
  weight = 2,
}

criterion {
  id = "AC-10",
  field = "AC",
  theme = "Développement et animation",
  level = "mandatory",
  statement = "La CAE suit l'activité de chaque entrepreneur à partir d'indicateurs définis (chiffre d'affaires, marge, trésorerie, "
    .. "atteinte des objectifs) et déclenche une alerte en cas de dérive.",
  guidance = "Satisfait totalement : les indicateurs sont produits au moins chaque trimestre et les alertes sont suivies d'un contact tracé. "
    .. "Partiellement : les indicateurs existent mais les alertes ne sont pas exploitées.",
  evidence = {
    "Tableau de bord de suivi des activités",
    "Exemples d'alertes et de suites données",
  },
  legal = { "Code du travail, art. L7331-2" },
}

criterion {
  id = "AC-11",
  field = "AC",
  theme = "Développement et animation",
  level = "mandatory",
  statement = "En cas de difficulté durable d'une activité, la CAE conduit une démarche écrite et contradictoire (diagnostic, plan d'action, "
    .. "révision des objectifs ou de la rémunération) avant toute décision de fin de contrat.",
  guidance = "Satisfait totalement : la procédure est écrite et chaque situation de difficulté récente en porte la trace. "
    .. "Partiellement : les situations sont traitées au cas par cas, sans procédure écrite.",
  evidence = {
    "Procédure de traitement des activités en difficulté",
    "Dossiers de situations récentes (anonymisés si besoin)",
  },
}

criterion {
  id = "AC-12",
  field = "AC",
  theme = "Développement et animation",
  level = "mandatory",
  statement = "La sortie d'un entrepreneur suit une procédure écrite : bilan de parcours, arrêté du compte d'activité, solde des sommes dues "
    .. "et respect de ses droits sur sa clientèle et sa propriété intellectuelle.",
  guidance = "Satisfait totalement : chaque sortie récente comporte un bilan et un arrêté de compte dans les délais prévus. "
    .. "Partiellement : les comptes sont soldés mais sans bilan de parcours ou avec des délais importants.",
  evidence = {
    "Procédure de sortie",
    "Dossiers de sorties récentes",
  },
  legal = { "Code du travail, art. L7331-2" },
}

criterion {
  id = "AC-13",
  field = "AC",
  theme = "Développement et animation",
  level = "recommended",
  statement = "La CAE propose un programme régulier d'ateliers collectifs (commercial, gestion, numérique, posture entrepreneuriale) "
    .. "ouvert à tous les entrepreneurs.",
  guidance = "Satisfait totalement : un programme annuel ou semestriel est publié et la participation est mesurée. "
    .. "Partiellement : des ateliers ont lieu de façon ponctuelle, sans programme.",
  evidence = {
    "Programme des ateliers",
    "Listes de participation",
  },
}

criterion {
  id = "AC-14",
  field = "AC",
  theme = "Développement et animation",
  level = "recommended",
  statement = "Des groupes de pairs ou d'échanges de pratiques entre entrepreneurs se réunissent régulièrement, par métier ou par thème.",
  guidance = "Satisfait totalement : plusieurs groupes fonctionnent avec un calendrier connu. "
    .. "Partiellement : les échanges existent mais sont rares ou réservés à quelques métiers.",
  evidence = {
    "Liste des groupes et calendrier des rencontres",
  },
}

criterion {
  id = "AC-15",
  field = "AC",
  theme = "Développement et animation",
  level = "recommended",
  statement = "La CAE favorise et outille les coopérations économiques entre entrepreneurs (réponses groupées, offres communes, "
    .. "sous-traitance interne).",
  guidance = "Satisfait totalement : des outils (annuaire des compétences, modèles de convention) sont disponibles et des coopérations "
    .. "sont recensées. Partiellement : les coopérations existent sans appui de la CAE.",
  evidence = {
    "Annuaire des compétences des entrepreneurs",
    "Exemples de coopérations réalisées",
  },
}

criterion {
  id = "AC-16",
  field = "AC",
  theme = "Développement et animation",
  level = "advised",
  statement = "La CAE mesure le devenir des entrepreneurs sortis (poursuite d'activité, création d'entreprise, emploi) et en tire des "
    .. "enseignements pour son accompagnement.",
  guidance = "Satisfait totalement : une enquête de suivi est réalisée chaque année et ses résultats sont analysés. "
    .. "Partiellement : le devenir est connu pour une partie seulement des sortants.",
  evidence = {
    "Résultats de l'enquête de devenir des sortants",
  },
}

-- ---------------------------------------------------------------------------
-- Compétences et pédagogie
-- ---------------------------------------------------------------------------

criterion {
  id = "AC-17",
  field = "AC",
  theme = "Compétences et pédagogie",
  level = "mandatory",
  statement = "Les personnes chargées de l'accompagnement ont une fiche de poste précisant leurs missions et possèdent les compétences "
    .. "requises en création d'activité, en gestion et en accompagnement d'adultes.",
  guidance = "Satisfait totalement : chaque accompagnateur a une fiche de poste et son parcours justifie les compétences attendues. "
    .. "Partiellement : les fiches de poste manquent ou les compétences ne sont pas vérifiées.",
  evidence = {
    "Fiches de poste des accompagnateurs",
    "CV ou référentiel de compétences de l'équipe",
  },
}

criterion {
  id = "AC-18",
  field = "AC",
  theme = "Compétences et pédagogie",
  level = "mandatory",
  statement = "L'accompagnement respecte des règles déontologiques écrites : confidentialité des informations sur les projets, neutralité "
    .. "et prévention des conflits d'intérêts.",
  guidance = "Satisfait totalement : les règles sont écrites, signées par l'équipe et connues des entrepreneurs. "
    .. "Partiellement : les principes sont appliqués mais ne sont pas écrits.",
  evidence = {
    "Charte ou règles déontologiques de l'accompagnement",
    "Engagements signés par les accompagnateurs",
  },
}

criterion {
  id = "AC-19",
  field = "AC",
  theme = "Compétences et pédagogie",
  level = "mandatory",
  statement = "Chaque entrepreneur dispose d'un dossier de suivi à jour regroupant contrats, objectifs, comptes rendus d'entretien "
    .. "et actions décidées, selon une trame commune à l'équipe.",
  guidance = "Satisfait totalement : les dossiers d'un échantillon sont complets et suivent la même trame. "
    .. "Partiellement : les dossiers existent mais sont incomplets ou hétérogènes d'un accompagnateur à l'autre.",
  evidence = {
    "Trame de dossier de suivi",
    "Échantillon de dossiers d'entrepreneurs",
  },
}

criterion {
  id = "AC-20",
  field = "AC",
  theme = "Compétences et pédagogie",
  level = "recommended",
  statement = "Les accompagnateurs suivent des formations et participent à des échanges de pratiques, en interne ou dans le réseau, "
    .. "selon un plan annuel.",
  guidance = "Satisfait totalement : chaque accompagnateur a suivi au moins une action de professionnalisation dans l'année. "
    .. "Partiellement : des formations ont eu lieu sans plan ni suivi individuel.",
  evidence = {
    "Plan de professionnalisation des accompagnateurs",
    "Attestations de formation",
  },
}

criterion {
  id = "AC-21",
  field = "AC",
  theme = "Compétences et pédagogie",
  level = "recommended",
  statement = "La qualité de l'accompagnement est évaluée par les entrepreneurs au moins une fois par an et les résultats donnent lieu "
    .. "à des actions d'amélioration.",
  guidance = "Satisfait totalement : l'évaluation est annuelle, ses résultats sont partagés et des actions en découlent. "
    .. "Partiellement : une évaluation existe mais elle n'est pas exploitée.",
  evidence = {
    "Questionnaire et résultats de l'évaluation",
    "Actions d'amélioration décidées",
  },
}

criterion {
  id = "AC-22",
  field = "AC",
  theme = "Compétences et pédagogie",
  level = "recommended",
  statement = "La CAE suit le nombre d'entrepreneurs accompagnés par accompagnateur et ajuste son organisation pour garantir la qualité "
    .. "du suivi individuel.",
  guidance = "Satisfait totalement : le ratio est suivi, un seuil d'alerte est défini et des ajustements ont été décidés si besoin. "
    .. "Partiellement : le ratio est connu mais sans seuil ni mesure d'ajustement.",
  evidence = {
    "Tableau de répartition des entrepreneurs par accompagnateur",
  },
}
