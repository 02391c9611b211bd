-- ============================================================================
-- LABEL CPE - Référentiel d'exemple - Champ 5 : Réseau CPE
--
-- ATTENTION : ce fichier est un RÉFÉRENTIEL D'EXEMPLE. Il a été rédigé à partir
-- de la description publique du label Coopérer Pour Entreprendre et des règles
-- générales de fonctionnement d'un réseau coopératif. Il ne reproduit pas le
-- référentiel officiel du label, réservé aux CAE sociétaires du réseau.
--
-- Le Comité de Labellisation le remplace par son texte officiel en modifiant
-- ces fichiers Lua : aucune recompilation de la plateforme n'est nécessaire.
--
-- Fonctions disponibles : field { ... } et criterion { ... }.
-- Niveaux : "mandatory" (obligatoire), "recommended" (recommandé),
--           "advised" (conseillé).
-- ============================================================================

field {
  id = "RS",
  name = "Réseau CPE",
  themes = {
    "Projet politique et charte d'engagement",
    "Adhésion et participation",
    "Transparence et communication",
    "Label",
  },
}

-- ---------------------------------------------------------------------------
-- Projet politique et charte d'engagement
-- ---------------------------------------------------------------------------

criterion {
  id = "RS-01",
  field = "RS",
  theme = "Projet politique et charte d'engagement",
  level = "mandatory",
  statement = "La CAE a adopté la Charte d'engagement de Coopérer Pour Entreprendre par une décision de son instance dirigeante "
    .. "et en respecte les engagements dans ses pratiques.",
  guidance = "Satisfait totalement : la charte signée est en vigueur, communiquée aux entrepreneurs et aucun écart majeur n'est constaté. "
    .. "Partiellement : la charte est signée mais n'est pas connue des entrepreneurs ou des écarts sont relevés sans plan de correction.",
  evidence = {
    "Charte d'engagement signée",
    "Décision de l'instance dirigeante l'adoptant",
    "Supports où la charte est présentée aux entrepreneurs",
  },
  weight = 2,
}

criterion {
  id = "RS-02",
  field = "RS",
  theme = "Projet politique et charte d'engagement",
  level = "mandatory",
  statement = "Le projet politique de la CAE (finalités, valeurs, publics accueillis) est formalisé, cohérent avec celui du réseau, "
    .. "et présenté à l'assemblée générale et aux nouveaux entrepreneurs.",
  guidance = "Satisfait totalement : le projet est écrit, adopté par les associés et présenté lors de l'accueil. "
    .. "Partiellement : le projet existe mais n'a pas été adopté par les associés ou n'est pas présenté aux nouveaux entrepreneurs.",
  evidence = {
    "Projet politique ou projet coopératif écrit",
    "Procès-verbal d'adoption",
  },
}

criterion {
  id = "RS-03",
  field = "RS",
  theme = "Projet politique et charte d'engagement",
  level = "recommended",
  statement = "Le projet politique est décliné en orientations stratégiques pluriannuelles dont la mise en œuvre est évaluée "
    .. "par les instances de la CAE.",
  guidance = "Satisfait totalement : un plan stratégique daté existe et fait l'objet d'un bilan annuel. "
    .. "Partiellement : des orientations sont définies mais ne sont pas évaluées.",
  evidence = {
    "Plan ou orientations stratégiques",
    "Bilan annuel de mise en œuvre",
  },
}

criterion {
  id = "RS-04",
  field = "RS",
  theme = "Projet politique et charte d'engagement",
  level = "advised",
  statement = "La CAE contribue aux travaux de réflexion du réseau sur son projet politique (groupes de travail, contributions écrites, "
    .. "séminaires).",
  guidance = "Satisfait totalement : la CAE a participé à au moins un chantier collectif du réseau dans les deux dernières années. "
    .. "Partiellement : la participation est ponctuelle et sans contribution identifiable.",
  evidence = {
    "Contributions ou comptes rendus de groupes de travail du réseau",
  },
}

-- ---------------------------------------------------------------------------
-- Adhésion et participation
-- ---------------------------------------------------------------------------

criterion {
  id = "RS-05",
  field = "RS",
  theme = "Adhésion et participation",
  level = "mandatory",
  statement = "La CAE est sociétaire de Coopérer Pour Entreprendre et à jour de ses cotisations.",
  guidance = "Satisfait totalement : la souscription au capital est réalisée et les cotisations de l'année en cours sont réglées. "
    .. "Partiellement : la CAE est sociétaire mais un retard de cotisation fait l'objet d'un échéancier accepté.",
  evidence = {
    "Attestation de sociétariat",
    "Justificatif de paiement des cotisations",
  },
}

criterion {
  id = "RS-06",
  field = "RS",
  theme = "Adhésion et participation",
  level = "mandatory",
  statement = "La CAE est représentée aux assemblées générales de Coopérer Pour Entreprendre et y exerce son droit de vote.",
  guidance = "Satisfait totalement : la CAE a été présente ou représentée aux trois dernières assemblées. "
    .. "Partiellement : la CAE a manqué une des trois dernières assemblées sans se faire représenter.",
  evidence = {
    "Feuilles de présence ou pouvoirs des assemblées du réseau",
  },
}

criterion {
  id = "RS-07",
  field = "RS",
  theme = "Adhésion et participation",
  level = "recommended",
  statement = "Des membres de l'équipe d'appui, des dirigeants et des entrepreneurs participent aux rencontres, formations et commissions "
    .. "du réseau.",
  guidance = "Satisfait totalement : des personnes de chacune de ces catégories ont participé à des temps du réseau dans l'année. "
    .. "Partiellement : seule la direction participe aux temps du réseau.",
  evidence = {
    "Liste des participations aux temps du réseau sur l'année",
  },
}

criterion {
  id = "RS-08",
  field = "RS",
  theme = "Adhésion et participation",
  level = "recommended",
  statement = "La CAE partage avec les autres CAE du réseau ses outils, modèles et retours d'expérience, sur les espaces ou lors des "
    .. "temps collectifs prévus à cet effet.",
  guidance = "Satisfait totalement : au moins un outil ou retour d'expérience a été partagé dans l'année. "
    .. "Partiellement : la CAE utilise les ressources mutualisées sans y contribuer.",
  evidence = {
    "Exemples d'outils ou de retours d'expérience partagés",
  },
}

-- ---------------------------------------------------------------------------
-- Transparence et communication
-- ---------------------------------------------------------------------------

criterion {
  id = "RS-09",
  field = "RS",
  theme = "Transparence et communication",
  level = "mandatory",
  statement = "La CAE transmet chaque année au réseau, dans les délais, des données d'activité sincères (effectifs, chiffre d'affaires, "
    .. "sociétariat, résultats) selon le format demandé.",
  guidance = "Satisfait totalement : les données des deux dernières années ont été transmises complètes et dans les délais. "
    .. "Partiellement : les données ont été transmises en retard ou incomplètes.",
  evidence = {
    "Accusés de transmission des données annuelles",
    "Copie des données transmises",
  },
}

criterion {
  id = "RS-10",
  field = "RS",
  theme = "Transparence et communication",
  level = "mandatory",
  statement = "La CAE informe rapidement le réseau de tout événement significatif : difficultés financières graves, procédure de "
    .. "prévention ou collective, changement de dirigeant, litige majeur.",
  guidance = "Satisfait totalement : les événements survenus depuis le dernier audit ont été signalés au réseau dans un délai court. "
    .. "Partiellement : les événements ont été signalés tardivement. Lorsqu'aucun événement n'est survenu, la CAE montre qu'elle connaît "
    .. "la règle et la personne chargée de l'appliquer.",
  evidence = {
    "Échanges avec le réseau signalant les événements",
    "Procédure interne d'information du réseau",
  },
}

criterion {
  id = "RS-11",
  field = "RS",
  theme = "Transparence et communication",
  level = "recommended",
  statement = "L'appartenance au réseau Coopérer Pour Entreprendre est indiquée sur les supports de communication de la CAE "
    .. "(site internet, documents d'accueil, contrats).",
  guidance = "Satisfait totalement : la mention figure sur l'ensemble des supports principaux. "
    .. "Partiellement : la mention figure sur certains supports seulement.",
  evidence = {
    "Captures du site internet et exemples de documents",
  },
}

criterion {
  id = "RS-12",
  field = "RS",
  theme = "Transparence et communication",
  level = "advised",
  statement = "La CAE relaie auprès de ses entrepreneurs et de son équipe les informations et publications du réseau "
    .. "(actualités, positions, événements).",
  guidance = "Satisfait totalement : les informations du réseau sont relayées régulièrement dans les outils internes. "
    .. "Partiellement : les relais sont occasionnels.",
  evidence = {
    "Exemples de relais dans la communication interne",
  },
}

-- ---------------------------------------------------------------------------
-- Label
-- ---------------------------------------------------------------------------

criterion {
  id = "RS-13",
  field = "RS",
  theme = "Label",
  level = "mandatory",
  statement = "La CAE s'engage dans la démarche de labellisation selon le calendrier du réseau (auto-évaluation, audit, transmission des "
    .. "documents demandés) et n'utilise la marque LABEL CPE que pendant la validité de son label.",
  guidance = "Satisfait totalement : l'auto-évaluation a été réalisée avant l'audit, les documents ont été fournis à temps et la marque "
    .. "n'est pas utilisée hors période de validité. Partiellement : l'auto-évaluation est incomplète ou des documents ont été fournis "
    .. "tardivement.",
  evidence = {
    "Auto-évaluation réalisée sur la plateforme",
    "Liste des documents transmis aux auditeurs",
    "Supports portant la marque LABEL CPE",
  },
}

criterion {
  id = "RS-14",
  field = "RS",
  theme = "Label",
  level = "mandatory",
  statement = "Les parties prenantes internes (entrepreneurs associés et non associés, équipe d'appui, dirigeants) participent "
    .. "à l'auto-évaluation et à l'audit du label.",
  guidance = "Satisfait totalement : des représentants de chaque catégorie ont contribué à l'auto-évaluation et ont été entendus lors "
    .. "de l'audit. Partiellement : une catégorie de parties prenantes internes n'a pas été associée.",
  evidence = {
    "Liste des participants à l'auto-évaluation par catégorie",
    "Liste des personnes rencontrées lors de l'audit",
  },
  weight = 2,
}

criterion {
  id = "RS-15",
  field = "RS",
  theme = "Label",
  level = "recommended",
  statement = "À l'issue de l'auto-évaluation ou de l'audit, la CAE établit un plan d'action daté, en confie le suivi à un responsable "
    .. "et en rend compte à ses instances.",
  guidance = "Satisfait totalement : le plan d'action couvre les recommandations reçues et son avancement est présenté au moins "
    .. "une fois par an. Partiellement : un plan existe mais n'est pas suivi.",
  evidence = {
    "Plan d'action issu du dernier audit ou de l'auto-évaluation",
    "Compte rendu d'instance présentant son avancement",
  },
}
