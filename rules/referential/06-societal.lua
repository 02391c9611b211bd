-- ============================================================================
-- LABEL CPE - Référentiel d'exemple - Champ 6 : Sociétal
--
-- ATTENTION : ce fichier est un RÉFÉRENTIEL D'EXEMPLE. Il a été rédigé à partir
-- de la description publique du label Coopérer Pour Entreprendre et du cadre
-- légal applicable (loi ESS du 31 juillet 2014, règles de non-discrimination
-- et d'accessibilité, obligations liées aux financements publics). Il ne
-- reproduit pas le référentiel officiel du label, réservé aux CAE sociétaires
-- du réseau.
--
-- Le Comité de Labellisation le remplace par son texte officiel en modifiant
-- ces fichiers Lua : aucune recompilation de la plateforme n'est nécessaire.
--
-- Fonctions disponibles : field { ... } et criterion { ... }.
-- Niveaux : "mandatory" (obligatoire), "recommended" (recommandé),
--           "advised" (conseillé).
-- ============================================================================

field {
  id = "SO",
  name = "Sociétal",
  themes = { "Dialogue avec les parties prenantes externes", "Contribution au développement territorial" },
}

-- ---------------------------------------------------------------------------
-- Dialogue avec les parties prenantes externes
-- ---------------------------------------------------------------------------

criterion {
  id = "SO-01",
  field = "SO",
  theme = "Dialogue avec les parties prenantes externes",
  level = "mandatory",
  statement = "La CAE a identifié ses parties prenantes externes (financeurs, collectivités, prescripteurs, réseaux d'accompagnement, "
    .. "partenaires économiques) et désigné pour chacune un interlocuteur.",
  guidance = "Satisfait totalement : une cartographie à jour précise pour chaque partie prenante ses attentes et l'interlocuteur désigné. "
    .. "Partiellement : les parties prenantes sont connues mais la cartographie n'est ni écrite ni à jour.",
  evidence = {
    "Cartographie des parties prenantes externes",
  },
}

criterion {
  id = "SO-02",
  field = "SO",
  theme = "Dialogue avec les parties prenantes externes",
  level = "mandatory",
  statement = "Lorsque la CAE perçoit des financements publics, elle produit dans les délais les bilans d'activité et les comptes rendus "
    .. "financiers prévus par les conventions et justifie l'emploi des fonds.",
  guidance = "Satisfait totalement : tous les bilans dus au titre des conventions en cours ont été remis dans les délais. "
    .. "Partiellement : les bilans ont été remis mais avec retard ou de façon incomplète. "
    .. "Non applicable si la CAE ne perçoit aucun financement public.",
  evidence = {
    "Conventions de financement en cours",
    "Bilans et comptes rendus financiers transmis aux financeurs",
  },
  legal = { "Loi n° 2000-321 du 12 avril 2000 relative aux droits des citoyens dans leurs relations avec les administrations" },
  na_allowed = true,
}

criterion {
  id = "SO-03",
  field = "SO",
  theme = "Dialogue avec les parties prenantes externes",
  level = "recommended",
  statement = "La CAE réunit au moins une fois par an ses principaux partenaires (comité de partenaires ou de pilotage) pour leur présenter "
    .. "son activité et recueillir leurs attentes.",
  guidance = "Satisfait totalement : la réunion a lieu chaque année et son compte rendu est diffusé aux participants. "
    .. "Partiellement : les échanges ont lieu de façon bilatérale, sans temps collectif.",
  evidence = {
    "Invitation et compte rendu du dernier comité de partenaires",
  },
}

criterion {
  id = "SO-04",
  field = "SO",
  theme = "Dialogue avec les parties prenantes externes",
  level = "recommended",
  statement = "La CAE utilise le label comme outil de dialogue avec ses parties prenantes externes en leur présentant ses résultats "
    .. "et son plan de progrès.",
  guidance = "Satisfait totalement : les résultats du dernier audit ou de l'auto-évaluation ont été présentés à des partenaires. "
    .. "Partiellement : le label est mentionné sans présentation de ses résultats.",
  evidence = {
    "Support de présentation aux partenaires",
  },
}

criterion {
  id = "SO-05",
  field = "SO",
  theme = "Dialogue avec les parties prenantes externes",
  level = "recommended",
  statement = "La CAE publie chaque année un rapport d'activité comportant des indicateurs sociaux (personnes accueillies, emplois, "
    .. "sociétariat, parité) accessible à ses parties prenantes.",
  guidance = "Satisfait totalement : le rapport est publié chaque année et diffusé aux partenaires. "
    .. "Partiellement : un rapport existe mais sans indicateurs sociaux ou sans diffusion externe.",
  evidence = {
    "Dernier rapport d'activité",
    "Preuve de diffusion (site internet, envoi aux partenaires)",
  },
}

criterion {
  id = "SO-06",
  field = "SO",
  theme = "Dialogue avec les parties prenantes externes",
  level = "advised",
  statement = "Des parties prenantes externes sont associées à la gouvernance ou à l'orientation de la CAE (collège d'associés, "
    .. "comité d'orientation, invités permanents).",
  guidance = "Satisfait totalement : une instance associe des parties prenantes externes et se réunit au moins une fois par an. "
    .. "Partiellement : des parties prenantes externes sont consultées ponctuellement.",
  evidence = {
    "Composition de l'instance associant des parties prenantes externes",
    "Comptes rendus de ses réunions",
  },
}

criterion {
  id = "SO-07",
  field = "SO",
  theme = "Dialogue avec les parties prenantes externes",
  level = "advised",
  statement = "La CAE conduit, avec des parties prenantes externes, une démarche de mesure de son utilité sociale ou de son impact.",
  guidance = "Satisfait totalement : une démarche de mesure d'impact a été menée avec des partenaires et ses résultats sont publiés. "
    .. "Partiellement : la démarche est engagée mais n'a pas encore produit de résultats.",
  evidence = {
    "Rapport ou synthèse de la mesure d'impact",
  },
}

-- ---------------------------------------------------------------------------
-- Contribution au développement territorial
-- ---------------------------------------------------------------------------

criterion {
  id = "SO-08",
  field = "SO",
  theme = "Contribution au développement territorial",
  level = "mandatory",
  statement = "La CAE définit son territoire d'intervention, y organise des lieux ou des permanences d'accueil, et coordonne son "
    .. "implantation avec les autres CAE du réseau présentes sur le même territoire.",
  guidance = "Satisfait totalement : le territoire et les lieux d'accueil sont publiés et les échanges avec les CAE voisines sont tracés. "
    .. "Partiellement : le territoire est défini mais l'implantation n'est pas coordonnée avec les CAE voisines.",
  evidence = {
    "Carte du territoire et liste des lieux d'accueil",
    "Échanges ou accords avec les CAE voisines",
  },
}

criterion {
  id = "SO-09",
  field = "SO",
  theme = "Contribution au développement territorial",
  level = "mandatory",
  statement = "L'accueil est ouvert à tous les publics sans discrimination et la CAE prévoit des modalités adaptées aux personnes "
    .. "en situation de handicap.",
  guidance = "Satisfait totalement : les critères d'accueil ne comportent aucun motif discriminatoire et des solutions d'accueil "
    .. "accessibles sont prévues. Partiellement : l'ouverture à tous est affirmée mais aucune modalité adaptée n'est organisée.",
  evidence = {
    "Critères et supports d'accueil",
    "Attestation ou registre d'accessibilité des locaux recevant du public",
  },
  legal = {
    "Code pénal, art. 225-1",
    "Code de la construction et de l'habitation (accessibilité des établissements recevant du public)",
  },
}

criterion {
  id = "SO-10",
  field = "SO",
  theme = "Contribution au développement territorial",
  level = "recommended",
  statement = "La CAE a formalisé des partenariats avec les prescripteurs et les acteurs locaux de l'emploi et de la création "
    .. "d'activité (service public de l'emploi, missions locales, réseaux d'accompagnement).",
  guidance = "Satisfait totalement : des conventions ou accords écrits existent avec les principaux prescripteurs et sont suivis. "
    .. "Partiellement : les relations existent mais ne sont pas formalisées.",
  evidence = {
    "Conventions de partenariat",
    "Statistiques d'orientation par prescripteur",
  },
}

criterion {
  id = "SO-11",
  field = "SO",
  theme = "Contribution au développement territorial",
  level = "recommended",
  statement = "La CAE participe aux réseaux locaux de l'économie sociale et solidaire et aux instances de développement économique "
    .. "de son territoire.",
  guidance = "Satisfait totalement : la CAE est membre actif d'au moins un réseau ou une instance locale et y contribue. "
    .. "Partiellement : la CAE est adhérente mais ne participe pas aux travaux.",
  evidence = {
    "Attestations d'adhésion",
    "Comptes rendus de participation",
  },
}

criterion {
  id = "SO-12",
  field = "SO",
  theme = "Contribution au développement territorial",
  level = "recommended",
  statement = "La CAE mesure sa contribution au territoire (emplois créés ou maintenus, chiffre d'affaires généré, sorties positives) "
    .. "et la communique à ses partenaires.",
  guidance = "Satisfait totalement : les indicateurs sont produits chaque année selon une méthode stable et diffusés. "
    .. "Partiellement : les indicateurs sont produits mais ne sont pas diffusés.",
  evidence = {
    "Tableau des indicateurs de contribution territoriale",
  },
}

criterion {
  id = "SO-13",
  field = "SO",
  theme = "Contribution au développement territorial",
  level = "recommended",
  statement = "La CAE favorise les achats responsables et locaux et les coopérations économiques entre ses entrepreneurs et les acteurs "
    .. "de son territoire.",
  guidance = "Satisfait totalement : une orientation d'achats responsables est écrite et des coopérations locales sont recensées. "
    .. "Partiellement : des pratiques existent sans orientation formalisée.",
  evidence = {
    "Orientations d'achats responsables",
    "Exemples de coopérations locales",
  },
}

criterion {
  id = "SO-14",
  field = "SO",
  theme = "Contribution au développement territorial",
  level = "recommended",
  statement = "La CAE met en œuvre des actions de réduction de son impact environnemental (sobriété, mobilité, numérique responsable) "
    .. "et sensibilise ses entrepreneurs.",
  guidance = "Satisfait totalement : des actions sont décidées, suivies et une sensibilisation est proposée aux entrepreneurs. "
    .. "Partiellement : des actions ponctuelles existent sans suivi.",
  evidence = {
    "Liste des actions environnementales et de leur suivi",
    "Supports de sensibilisation",
  },
}

criterion {
  id = "SO-15",
  field = "SO",
  theme = "Contribution au développement territorial",
  level = "advised",
  statement = "La CAE contribue à l'essaimage de l'entrepreneuriat coopératif (nouvelles antennes, appui à la création de CAE ou de "
    .. "coopératives issues de ses activités).",
  guidance = "Satisfait totalement : au moins une action d'essaimage a été conduite ou soutenue dans les trois dernières années. "
    .. "Partiellement : un projet d'essaimage est à l'étude.",
  evidence = {
    "Description des actions d'essaimage",
  },
}
