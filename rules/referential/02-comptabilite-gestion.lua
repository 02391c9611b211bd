-- ============================================================================
-- LABEL CPE - Référentiel d'exemple - Champ 2 : Comptabilité gestion
--
-- ATTENTION : ce fichier est un RÉFÉRENTIEL D'EXEMPLE. Il a été rédigé à partir
-- de la description publique du label Coopérer Pour Entreprendre et du cadre
-- légal des CAE (loi ESS du 31 juillet 2014, Code du travail, Code de commerce,
-- décret du 27 octobre 2015 relatif aux CAE). Il ne reproduit pas le
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
  id = "CG",
  name = "Comptabilité gestion",
  themes = { "Fiabilité et transparence", "Efficacité de l'organisation comptable" },
}

-- ---------------------------------------------------------------------------
-- Fiabilité et transparence
-- ---------------------------------------------------------------------------

criterion {
  id = "CG-01",
  field = "CG",
  theme = "Fiabilité et transparence",
  level = "mandatory",
  statement = "Les comptes annuels (bilan, compte de résultat, annexe) sont établis chaque année selon les règles comptables en vigueur, "
    .. "à partir d'une comptabilité tenue de façon régulière et complète.",
  guidance = "Satisfait totalement : les comptes des trois derniers exercices sont établis, approuvés et sans réserve significative "
    .. "de l'expert-comptable ou du commissaire aux comptes. Partiellement : les comptes sont établis mais comportent des réserves "
    .. "ou des retraitements importants non résolus.",
  evidence = {
    "Comptes annuels des trois derniers exercices",
    "Attestation de l'expert-comptable ou rapport du commissaire aux comptes",
    "Grand livre et balance générale du dernier exercice",
  },
  legal = { "Code de commerce, art. L123-12 et suivants" },
  weight = 2,
}

criterion {
  id = "CG-02",
  field = "CG",
  theme = "Fiabilité et transparence",
  level = "mandatory",
  statement = "La CAE tient pour chaque activité économique autonome un compte analytique de bilan et de résultat retraçant ses produits, "
    .. "ses charges, les rémunérations versées et la contribution aux services mutualisés.",
  guidance = "Satisfait totalement : la somme des comptes analytiques se rapproche de la comptabilité générale et chaque activité commune "
    .. "à plusieurs entrepreneurs fait l'objet d'une convention écrite de répartition. Partiellement : les comptes analytiques existent "
    .. "mais le rapprochement avec la comptabilité générale n'est pas réalisé ou certaines affectations sont approximatives.",
  evidence = {
    "Extrait de comptes analytiques de plusieurs activités",
    "Rapprochement comptabilité analytique / comptabilité générale",
    "Conventions d'activité commune le cas échéant",
  },
  legal = { "Décret n° 2015-1363 du 27 octobre 2015 relatif aux CAE et aux entrepreneurs salariés" },
  weight = 2,
}

criterion {
  id = "CG-03",
  field = "CG",
  theme = "Fiabilité et transparence",
  level = "mandatory",
  statement = "Chaque entrepreneur dispose régulièrement d'un état des comptes de son activité faisant apparaître le détail des produits "
    .. "et des charges ainsi que le montant disponible pour sa rémunération.",
  guidance = "Satisfait totalement : l'état est accessible ou transmis au moins chaque mois et les entrepreneurs interrogés le comprennent. "
    .. "Partiellement : l'état n'est fourni que sur demande ou avec un décalage important.",
  evidence = {
    "Exemples d'états des comptes transmis aux entrepreneurs",
    "Description du mode et de la fréquence de diffusion",
  },
  legal = { "Décret n° 2015-1363 du 27 octobre 2015 relatif aux CAE et aux entrepreneurs salariés" },
}

criterion {
  id = "CG-04",
  field = "CG",
  theme = "Fiabilité et transparence",
  level = "mandatory",
  statement = "Les factures aux clients des entrepreneurs sont émises au nom de la CAE, numérotées selon une séquence chronologique "
    .. "continue et comportent les mentions obligatoires.",
  guidance = "Satisfait totalement : un échantillon de factures est conforme et la séquence de numérotation est sans rupture. "
    .. "Partiellement : les factures sont émises au nom de la CAE mais certaines mentions manquent ou la numérotation présente des anomalies.",
  evidence = {
    "Échantillon de factures de différents entrepreneurs",
    "Journal des ventes montrant la numérotation",
  },
  legal = {
    "Code de commerce, art. L441-9",
    "Code général des impôts, annexe II, art. 242 nonies A",
  },
}

criterion {
  id = "CG-05",
  field = "CG",
  theme = "Fiabilité et transparence",
  level = "mandatory",
  statement = "Tous les encaissements et décaissements liés aux activités des entrepreneurs transitent par les comptes bancaires de la CAE ; "
    .. "aucun entrepreneur n'utilise un compte personnel ou une structure tierce pour l'activité qu'il exerce dans la coopérative.",
  guidance = "Satisfait totalement : les règles sont écrites, rappelées à l'entrée et les contrôles n'ont relevé aucun flux hors CAE. "
    .. "Partiellement : la règle existe mais des écarts ponctuels ont été constatés sans mesure corrective.",
  evidence = {
    "Procédure d'encaissement et de paiement",
    "Relevés bancaires et rapprochements récents",
  },
}

criterion {
  id = "CG-06",
  field = "CG",
  theme = "Fiabilité et transparence",
  level = "mandatory",
  statement = "Chaque écriture est appuyée par une pièce justificative, les dépenses des entrepreneurs sont validées selon une procédure "
    .. "définie, et les pièces sont conservées pendant dix ans.",
  guidance = "Satisfait totalement : un échantillon d'écritures est intégralement justifié et les pièces sont retrouvées rapidement. "
    .. "Partiellement : la majorité des écritures est justifiée mais des pièces manquent ou la validation n'est pas tracée.",
  evidence = {
    "Échantillon d'écritures avec leurs pièces justificatives",
    "Procédure de validation des dépenses",
    "Organisation de l'archivage",
  },
  legal = { "Code de commerce, art. L123-22" },
}

criterion {
  id = "CG-07",
  field = "CG",
  theme = "Fiabilité et transparence",
  level = "mandatory",
  statement = "Les déclarations fiscales (TVA, impôts et taxes, liasse fiscale) sont déposées et acquittées dans les délais légaux.",
  guidance = "Satisfait totalement : aucune pénalité de retard sur les deux derniers exercices et les déclarations sont rapprochées "
    .. "de la comptabilité. Partiellement : les déclarations sont faites mais des retards ponctuels ou des écarts non expliqués existent.",
  evidence = {
    "Déclarations de TVA des douze derniers mois",
    "Liasse fiscale du dernier exercice",
    "Attestation de régularité fiscale",
  },
  legal = { "Code général des impôts" },
}

criterion {
  id = "CG-08",
  field = "CG",
  theme = "Fiabilité et transparence",
  level = "mandatory",
  statement = "La CAE s'assure qu'aucune dépense ni rémunération n'est engagée au-delà des ressources disponibles sur le compte d'activité "
    .. "d'un entrepreneur, sauf avance accordée selon une règle écrite et suivie.",
  guidance = "Satisfait totalement : les soldes négatifs sont identifiés chaque mois et chacun correspond à une avance autorisée et suivie. "
    .. "Partiellement : les soldes négatifs sont connus mais leur traitement n'est pas encadré par une règle écrite.",
  evidence = {
    "Règle écrite sur les avances et les soldes négatifs",
    "État des comptes d'activité débiteurs à une date récente",
  },
}

criterion {
  id = "CG-09",
  field = "CG",
  theme = "Fiabilité et transparence",
  level = "recommended",
  statement = "Les comptes annuels de la coopérative et le coût des services mutualisés sont présentés à tous les entrepreneurs, "
    .. "associés ou non, sous une forme compréhensible.",
  guidance = "Satisfait totalement : une présentation pédagogique est faite chaque année et mise à disposition de tous. "
    .. "Partiellement : les comptes ne sont présentés qu'aux associés lors de l'assemblée générale.",
  evidence = {
    "Support de présentation des comptes aux entrepreneurs",
    "Invitation ou compte rendu de la réunion",
  },
}

criterion {
  id = "CG-10",
  field = "CG",
  theme = "Fiabilité et transparence",
  level = "recommended",
  statement = "Des contrôles internes réguliers sont réalisés : rapprochements bancaires mensuels, revue des comptes d'attente, "
    .. "séparation entre saisie, validation et paiement.",
  guidance = "Satisfait totalement : les contrôles sont documentés et datés chaque mois. "
    .. "Partiellement : les contrôles sont faits mais de façon irrégulière ou sans trace écrite.",
  evidence = {
    "Rapprochements bancaires des trois derniers mois",
    "Organigramme fonctionnel du service comptable",
  },
}

-- ---------------------------------------------------------------------------
-- Efficacité de l'organisation comptable
-- ---------------------------------------------------------------------------

criterion {
  id = "CG-11",
  field = "CG",
  theme = "Efficacité de l'organisation comptable",
  level = "mandatory",
  statement = "Un manuel de procédures administratives et comptables (facturation, notes de frais, achats, encaissements, paie) "
    .. "est rédigé, tenu à jour et accessible à tous les entrepreneurs.",
  guidance = "Satisfait totalement : le manuel couvre l'ensemble des flux, il est daté et mis à jour lors de chaque changement de règle. "
    .. "Partiellement : des procédures existent mais sont éparses, anciennes ou ne couvrent pas tous les flux.",
  evidence = {
    "Manuel de procédures en vigueur",
    "Historique des mises à jour",
  },
}

criterion {
  id = "CG-12",
  field = "CG",
  theme = "Efficacité de l'organisation comptable",
  level = "mandatory",
  statement = "La CAE suit les créances clients de chaque activité, applique une procédure de relance et de recouvrement, "
    .. "et déprécie les créances douteuses à la clôture.",
  guidance = "Satisfait totalement : une balance âgée est produite chaque mois et les relances sont tracées. "
    .. "Partiellement : les créances sont suivies mais sans procédure de relance formalisée ni revue à la clôture.",
  evidence = {
    "Balance âgée des créances clients",
    "Procédure de relance et exemples de relances",
  },
}

criterion {
  id = "CG-13",
  field = "CG",
  theme = "Efficacité de l'organisation comptable",
  level = "mandatory",
  statement = "La CAE utilise un outil de gestion permettant la saisie, le contrôle et la consultation des comptes d'activité, "
    .. "avec des droits d'accès définis et des sauvegardes régulières.",
  guidance = "Satisfait totalement : les droits d'accès sont attribués selon les fonctions et une restauration de sauvegarde a été testée. "
    .. "Partiellement : l'outil est en place mais les droits ou les sauvegardes ne sont pas maîtrisés.",
  evidence = {
    "Description de l'outil et des profils d'accès",
    "Preuve de sauvegarde et de test de restauration",
  },
}

criterion {
  id = "CG-14",
  field = "CG",
  theme = "Efficacité de l'organisation comptable",
  level = "mandatory",
  statement = "La CAE tient un registre des traitements de données personnelles, informe les entrepreneurs, salariés et clients "
    .. "de leurs droits, et protège l'accès aux données comptables et sociales.",
  guidance = "Satisfait totalement : le registre est à jour, les mentions d'information figurent dans les contrats et formulaires, "
    .. "et les accès sont limités. Partiellement : le registre existe mais il est incomplet ou l'information des personnes est absente.",
  evidence = {
    "Registre des activités de traitement",
    "Mentions d'information dans les contrats et formulaires",
  },
  legal = {
    "Règlement (UE) 2016/679 (RGPD), art. 30",
    "Loi n° 78-17 du 6 janvier 1978 relative à l'informatique, aux fichiers et aux libertés",
  },
}

criterion {
  id = "CG-15",
  field = "CG",
  theme = "Efficacité de l'organisation comptable",
  level = "recommended",
  statement = "La CAE clôture mensuellement les comptes d'activité et établit au moins une situation comptable intermédiaire "
    .. "en cours d'exercice.",
  guidance = "Satisfait totalement : les clôtures mensuelles sont respectées et une situation intermédiaire est présentée à l'instance "
    .. "dirigeante. Partiellement : une situation intermédiaire est établie mais les comptes d'activité ne sont pas clôturés chaque mois.",
  evidence = {
    "Calendrier de clôture",
    "Dernière situation intermédiaire",
  },
}

criterion {
  id = "CG-16",
  field = "CG",
  theme = "Efficacité de l'organisation comptable",
  level = "recommended",
  statement = "Les délais de traitement (notes de frais, factures fournisseurs, versement des rémunérations variables) sont définis, "
    .. "mesurés, et les délais de paiement légaux sont respectés.",
  guidance = "Satisfait totalement : des engagements de délais sont publiés et leur respect est mesuré. "
    .. "Partiellement : des délais sont annoncés mais ne sont pas mesurés.",
  evidence = {
    "Engagements de délais communiqués aux entrepreneurs",
    "Indicateurs de délais de traitement et de paiement",
  },
  legal = { "Code de commerce, art. L441-10" },
}

criterion {
  id = "CG-17",
  field = "CG",
  theme = "Efficacité de l'organisation comptable",
  level = "recommended",
  statement = "Les entrepreneurs sont formés à l'utilisation des outils de gestion et aux règles comptables qui s'appliquent "
    .. "à leur activité (TVA, justificatifs, frais).",
  guidance = "Satisfait totalement : une formation est proposée à chaque nouvel entrepreneur et des rappels sont organisés. "
    .. "Partiellement : l'information est délivrée de façon individuelle et non structurée.",
  evidence = {
    "Programme des formations aux outils de gestion",
    "Listes de participation",
  },
}

criterion {
  id = "CG-18",
  field = "CG",
  theme = "Efficacité de l'organisation comptable",
  level = "advised",
  statement = "Les pièces sont dématérialisées et les entrepreneurs consultent en ligne, en temps réel, la situation de leur activité "
    .. "(facturation, encaissements, dépenses, solde).",
  guidance = "Satisfait totalement : l'accès en ligne est ouvert à tous les entrepreneurs et reflète la comptabilité à jour. "
    .. "Partiellement : la dématérialisation est engagée mais la consultation n'est pas en temps réel.",
  evidence = {
    "Démonstration de l'espace en ligne des entrepreneurs",
  },
}
