// errors: the server's refusals said in French, for people. The API's
// messages stay English and stable (integrators match on them, logs quote
// them); the page reads each one with these tables: what a field is called,
// the reason given for it, or the whole sentence. A message none of them
// knows gets the status's own sentence (i18n.js), and the server's text
// stays at hand, folded, as a technical detail for support.
import { frSize, docType, DOC_ACCEPTED } from './i18n.js';

/** A field of a request body, by its JSON key: its French name. */
const FIELDS = {
  email: 'l’adresse e-mail',
  password: 'le mot de passe',
  current: 'le mot de passe actuel',
  new: 'le nouveau mot de passe',
  name: 'le nom',
  role: 'le rôle',
  organisation_id: 'l’organisation',
  certified_until: 'la fin de certification',
  disabled: 'l’état du compte',
  status: 'la réponse',
  comment: 'le commentaire',
  evidence: 'les preuves',
  outcome: 'la décision',
  date: 'la date',
  recommendations: 'les recommandations',
  good_practices: 'les bonnes pratiques',
  points: 'les points à reprendre',
  criterion: 'le critère',
  text: 'le texte',
  action: 'l’action',
  owner: 'le responsable',
  due: 'l’échéance',
  auditor_id: 'l’auditeur',
  kind: 'le type d’évaluation',
  shared: 'le partage',
  url: 'l’adresse',
  events: 'les événements',
  secret: 'le secret',
  enabled: 'l’activation',
  rotate_secret: 'le renouvellement du secret',
  note: 'la note',
  label: 'la version',
  legal_form: 'la forme juridique',
  city: 'la ville',
  region: 'la région',
  member_since: 'la date d’adhésion',
  to: 'le jeu de règles',
  files: 'les fichiers',
  file: 'le fichier',
  title: 'le titre',
  filename: 'le nom du fichier',
  document: 'le document',
  version: 'la version',
  pages: 'les pages',
};

/** The reason after "$.field: ", as a French predicate ($1... its parts). */
const REASONS = [
  [/^must be a string$/, 'doit être un texte'],
  [/^must not be empty$/, 'ne peut pas être vide'],
  [/^is required.*$/, 'est obligatoire'],
  [/^is missing.*$/, 'manque'],
  [/^must be a real date written YYYY-MM-DD$/, 'doit être une date réelle (AAAA-MM-JJ)'],
  [/^must be a positive whole number$/, 'doit être un nombre entier positif'],
  [/^must be a list of at most (\d+) (?:strings|items)$/, 'doit être une liste d’au plus $1 éléments'],
  [/^must be a list of strings$/, 'doit être une liste de textes'],
  [/^must be true or false$/, 'doit valoir oui ou non'],
  [/^must be a JSON object$/, 'doit être un objet JSON'],
  [/^must be a text or \{"criterion", "text"\}$/, 'doit être un texte, rattaché ou non à un critère'],
  [/^must be (".*")$/, 'n’est pas une valeur permise (valeurs : $1)'],
  [/^is too long: (\d+) characters \(at most (\d+)\)$/, 'est trop long : $1 caractères (au plus $2)'],
  [/^is not valid UTF-8 text$/, 'n’est pas un texte valide'],
  [/^contains a control character.*$/, 'contient un caractère invisible (seuls les retours à la ligne et les tabulations sont permis)'],
  [/^must be one line, without control characters$/, 'doit tenir sur une ligne, sans caractère invisible'],
  [/^must be at least (\d+) characters long$/, 'doit compter au moins $1 caractères'],
  [/^is not an email address$/, 'n’est pas une adresse e-mail'],
  [/^is not your current password$/, 'est incorrect'],
  [/^no organisation (\d+)$/, 'désigne une organisation qui n’existe pas'],
  [/^must be an organisation id$/, 'doit désigner une organisation'],
  [/^user (\d+) is not an auditor$/, 'doit être un auditeur'],
  [/^only an audit has an auditor$/, 'ne concerne qu’un audit'],
  [/^auditor \d+ is not certified \(certification valid until (.*)\)$/, 'doit être un auditeur certifié (certification : $1)'],
  [/^auditor \d+ belongs to this CAE.*$/, 'appartient à cette CAE : un auditeur n’audite jamais sa propre CAE'],
  [/^user \d+ is the auditor of draft audits ([\d, ]+): .*$/, 'ne peut pas changer : ce compte audite les brouillons d’audit $1 ; confiez-les d’abord à un autre auditeur'],
  [/^names no criterion of the référentiel$/, 'ne désigne aucun critère du référentiel'],
  [/^criterion (\S+) does not allow .*$/, 'n’est pas permise pour le critère $1'],
  [/^(\S+) is after today \((\S+)\).*$/, 'ne peut pas être après aujourd’hui ($2) : une décision est datée du jour où elle est prise'],
  [/^(\S+) is before the audit's submission \((\S+)\)$/, 'ne peut pas précéder le dépôt de l’audit ($2)'],
  [/^(\S+) is outside 2000-01-01 \.\. 2100-12-31$/, 'doit être comprise entre 2000 et 2100'],
  [/^only a deferral names points for the auditor$/, 'ne se donnent que pour un report'],
  [/^a deferral names at least one point.*$/, 'manquent : un report nomme au moins un point à reprendre par l’auditeur'],
  [/^is not an event type.*$/, 'n’est pas un type d’événement connu'],
  [/^not a valid absolute URL$/, 'n’est pas une adresse web complète (https://…)'],
  [/^only http and https URLs receive webhooks$/, 'doit commencer par http:// ou https://'],
  [/^unknown key.*$/, 'n’est pas un champ attendu'],
  [/^must be a text or \{"document", "version", "pages"\}$/, 'doit être un texte ou un document joint'],
  [/^must be a list of texts and document links$/, 'doit être une liste de textes et de documents joints'],
  [/^must be a document id$/, 'doit désigner un document'],
  [/^must be a version number from 1 up, or null for the latest$/, 'doit être un numéro de version (1 ou plus), ou rien pour la dernière'],
  [/^no document \d+ in this organisation's library.*$/, 'désigne un document qui n’est pas (ou plus) dans la bibliothèque de la CAE'],
  [/^document \d+ has no version (\d+)$/, 'désigne une version $1 qui n’existe pas'],
  [/^a file part named "file", not empty, is required$/, 'manque ou est vide : choisissez un fichier qui n’est pas vide'],
  [/^duplicate key.*$/, 'est donné deux fois'],
  [/^you do not hold the role (\w+).*$/, 'désigne un rôle ($1) que vous n’avez pas'],
  [/^user \d+ already holds the role (\w+)$/, 'désigne un rôle ($1) que ce compte a déjà'],
  [/^(\S+) has an account already \(user \d+\)$/, 'est déjà celle d’un compte ($1) : inutile de l’inviter'],
  [/^no such notification$/, 'n’est pas un type de notification connu'],
  [/^true \(mailed\) or false \(not mailed\) is required$/, 'doit valoir oui (reçue par courriel) ou non'],
];

/** Whole messages, for the refusals that name no field ($1... their parts). */
const SENTENCES = [
  [/^wrong email or password$/, 'Adresse e-mail ou mot de passe incorrect.'],
  [/^too many failed logins; try again in (\d+) minutes?$/, 'Trop de tentatives de connexion : réessayez dans $1 min.'],
  [/^too many wrong passwords; try again in (\d+) minutes?$/, 'Trop de mots de passe erronés : réessayez dans $1 min.'],
  [/^too many password reset requests(?: on this server lately)?; try again in (\d+) minutes?$/,
    'Trop de demandes de nouveau mot de passe : réessayez dans $1 min.'],
  [/^unknown (?:invitation|password reset) link.*$/,
    'Ce lien n’est pas (ou plus) valable : il a pu être mal copié, annulé, ou remplacé par un lien plus récent.'],
  [/^this invitation link was used already.*$/, 'Ce lien d’invitation a déjà servi : connectez-vous avec le mot de passe choisi.'],
  [/^this password reset link was used already.*$/, 'Ce lien a déjà servi : un lien ne sert qu’une fois. Demandez-en un nouveau si besoin.'],
  [/^this invitation link expired at .*$/, 'Ce lien d’invitation a expiré : demandez une nouvelle invitation.'],
  [/^this password reset link expired at .*$/, 'Ce lien a expiré (il vaut une heure) : demandez-en un nouveau.'],
  [/^only an administrator or the committee invites someone.*$/, 'Seuls le comité, les administrateurs et, pour un collègue de leur CAE, ses responsables invitent quelqu’un.'],
  [/^no invitation \d+ awaiting acceptance$/, 'Cette invitation n’existe pas ou a déjà été acceptée.'],
  [/^this account is disabled.*$/, 'Ce compte est désactivé : adressez-vous à un administrateur.'],
  [/^(?:session expired|unknown or revoked session).*$/, 'Votre session a pris fin : reconnectez-vous.'],
  [/^cross-site request refused.*$/, 'Requête refusée par la protection du site : rechargez la page, puis réessayez.'],
  [/^your auditor certification is not valid today \(valid until (.*)\).*$/, 'Votre certification d’auditeur n’est pas valide aujourd’hui (fin : $1) : seul un auditeur certifié rédige un audit.'],
  [/^only an administrator may do this$/, 'Seul un administrateur peut faire cela.'],
  [/^only the committee or an administrator lists users$/, 'Seuls le comité et les administrateurs voient la liste des comptes.'],
  [/^this organisation is not yours$/, 'Cette organisation n’est pas la vôtre.'],
  [/^only the CAE's own members start its self-assessments$/, 'Seuls les membres de la CAE commencent son autoévaluation.'],
  [/^only the committee or an administrator opens an audit$/, 'Seuls le comité et les administrateurs ouvrent un audit.'],
  [/^this assessment is not yours to read$/, 'Cette évaluation ne vous est pas accessible.'],
  [/^this assessment is not yours to edit$/, 'Cette évaluation n’est pas modifiable par vous.'],
  [/^only the committee decides$/, 'Seul le comité décide.'],
  [/^only the CAE, for its own self-assessment, or the committee moves a draft.*$/, 'Seuls la CAE (pour son autoévaluation) et le comité passent un brouillon aux règles en vigueur.'],
  [/^this action plan is not yours to (?:read|edit)$/, 'Ce plan d’action n’est pas le vôtre.'],
  [/^only the committee or an administrator manages the rules$/, 'Seuls le comité et les administrateurs gèrent les règles.'],
  [/^only (?:a|an enabled) committee member confirms a (?:committee )?role$/, 'Seul un membre du comité confirme ce rôle.'],
  [/^a role is confirmed by another committee member.*$/, 'Un rôle se confirme par un autre membre du comité, jamais par son titulaire.'],
  [/^you audit no assessment of this organisation$/, 'Vous n’auditez aucune évaluation de cette organisation.'],
  [/^reports are for the committee, administrators and CAEs$/, 'Les rapports sont réservés au comité, aux administrateurs et aux CAE.'],
  [/^assessment \d+ is (\w+): only a draft can change$/, 'Cette évaluation n’est plus un brouillon : elle ne se modifie plus.'],
  [/^assessment \d+ is not a draft.*$/, 'Cette évaluation n’est plus un brouillon.'],
  [/^assessment \d+ is a self-assessment: it has no auditor$/, 'Une autoévaluation n’a pas d’auditeur.'],
  [/^only an audit records internal stakeholders$/, 'Seul un audit recense les parties prenantes internes.'],
  [/^(?:assessment|audit) \d+ moved to another rule set meanwhile.*$/, 'Cette évaluation est passée entre-temps à d’autres règles : recommencez.'],
  [/^only an audit is decided.*$/, 'Seul un audit reçoit une décision du comité.'],
  [/^audit \d+ is \w+: only a submitted audit is decided$/, 'Seul un audit déposé reçoit une décision.'],
  [/^audit \d+ is not submitted \(any more\)$/, 'Cet audit n’est plus en attente de décision.'],
  [/^audit \d+ is no longer submitted: another decision was recorded first$/, 'Une autre décision a été enregistrée juste avant : cet audit n’attend plus de décision.'],
  [/^the label follows the rules: .*not eligible.*$/, 'Le label suit les règles : l’évaluation de cet audit ne le permet pas, il ne peut pas être attribué.'],
  [/^assessment \d+ has no awarded decision: no certificate$/, 'Pas d’attestation : cet audit n’a pas obtenu le label.'],
  [/^no such notification$/, 'Cette notification n’existe pas (ou n’est pas la vôtre).'],
  [/^user \d+ is the last administrator.*$/, 'Ce compte est le dernier administrateur : nommez-en un autre d’abord.'],
  [/^only the CAE's responsible member or an administrator manages its team$/, 'Seuls le responsable de la CAE et les administrateurs gèrent son équipe.'],
  [/^your own membership is changed by another responsible member.*$/, 'Votre propre place dans l’équipe se change par un autre responsable ou un administrateur.'],
  [/^user \d+ holds other roles than this membership.*$/, 'Cette personne a d’autres rôles : seul un administrateur désactive ou réactive son compte.'],
  [/^user \d+ is not a member of organisation \d+$/, 'Cette personne n’est pas (ou plus) membre de la CAE.'],
  [/^user \d+ already holds the role (\w+)$/, 'Ce compte a déjà ce rôle.'],
  [/^user \d+ holds no role (\w+)$/, 'Ce compte n’a pas ce rôle.'],
  [/^an API token acts in the role it was made in$/, 'Un jeton d’API agit dans le rôle où il a été créé.'],
  [/^your account, or the role you act in, no longer exists$/, 'Votre compte, ou le rôle dans lequel vous agissez, n’existe plus : reconnectez-vous.'],
  [/^user \d+ has no role awaiting confirmation$/, 'Aucun rôle n’attend de confirmation pour ce compte.'],
  [/^a user with the email (.+) already exists$/, 'Un compte existe déjà avec l’adresse $1.'],
  [/^your account changed meanwhile; try again$/, 'Votre compte a changé entre-temps : réessayez.'],
  [/^the answer changed since it was read.*$|^the answer was given meanwhile.*$/, 'Cette réponse a été modifiée ailleurs depuis l’ouverture de la page : rechargez la page.'],
  [/^assessment \d+ changed since it was read.*$/, 'Cette évaluation a été modifiée ailleurs depuis l’ouverture de la page : rechargez la page.'],
  [/^no criterion (\S+) in this référentiel$/, 'Le critère $1 n’existe pas dans ce référentiel.'],
  [/^assessment \d+ not found$/, 'Cette évaluation n’existe pas.'],
  [/^action item \d+ not found.*$/, 'Cette action n’existe pas.'],
  [/^the active rules are \w+: a draft moves to the active rules only$/, 'Un brouillon ne passe qu’aux règles en vigueur : rechargez la page.'],
  [/^assessment \d+ already runs under rule set \w+$/, 'Ce brouillon suit déjà ces règles.'],
  [/^assessment \d+ runs under rule set \w+, not loaded$/, 'Les règles de cette évaluation ne se chargent pas : prévenez le comité.'],
  [/^the body is over (\d+) bytes$/, (m) => `Le contenu envoyé est trop volumineux : ${frSize(m[1])} au plus.`],
  [/^the file is over (\d+) bytes$/, (m) => `Le fichier est trop volumineux : ${frSize(m[1])} au plus par document.`],
  [/^the organisation's documents would hold (\d+) bytes, over its (\d+)$/,
    (m) => `La bibliothèque de la CAE dépasserait sa limite de ${frSize(m[2])} : supprimez des documents inutiles ou adressez-vous au réseau.`],
  [/^the file is ([\w.+-]+\/[\w.+-]+): documents are .*$/,
    (m) => `Ce type de fichier est refusé : le fichier est reconnu comme ${docType(m[1]) === m[1] ? m[1] : `« ${docType(m[1])} » (${m[1]})`}. Sont acceptés : ${DOC_ACCEPTED}.`],
  [/^.*\b(?:infected|virus|malware)\b.*?(?:: (\S[^:]*))?$/i,
    (m) => `Le fichier est refusé : l’analyse antivirus y a détecté un virus${m[1] ? ` (${m[1]})` : ''}.`],
  [/^no document \d+$/, 'Ce document n’existe pas ou plus.'],
  [/^document \d+ has no version \d+$/, 'Cette version du document n’existe pas.'],
  [/^no documents folder is configured$/, 'Le serveur n’a pas de dossier de documents : prévenez l’administration du réseau.'],
  [/^criterion (\S+) links a document no longer there.*$/, 'Le critère $1 est lié à un document qui n’existe plus : retirez-le de la réponse avant de soumettre.'],
  [/^document \d+ is linked by assessment (\d+), submitted or decided.*$|^.*\blinked\b.*\b(?:submitted|decided)\b.*$/,
    'Ce document est joint à une évaluation soumise ou décidée : il doit rester tel quel et ne peut pas être supprimé.'],
  [/^the server is stopping.*$/, 'Le serveur redémarre : réessayez dans un instant.'],
];

function fill(template, m) {
  if (typeof template === 'function') return template(m);
  return template.replace(/\$(\d)/g, (_, i) => m[Number(i)]);
}

function firstMatch(table, text) {
  for (const [pattern, template] of table) {
    const m = pattern.exec(text);
    if (m) return fill(template, m);
  }
  return null;
}

/** "$.points[1].text" → "le texte (les points à reprendre, n° 2)". */
function fieldName(path) {
  const parts = path.replace(/^\$\.?/, '').split(/\.|(?=\[)/).filter(Boolean);
  const names = [];
  let index = null;
  for (const part of parts) {
    const n = /^\[(\d+)\]$/.exec(part);
    if (n) index = Number(n[1]) + 1;
    else names.unshift(FIELDS[part] || `« ${part} »`);
  }
  if (!names.length) return 'la saisie';
  const main = names[0];
  const rest = names.slice(1);
  const where = [...rest, ...(index ? [`n° ${index}`] : [])];
  return where.length ? `${main} (${where.join(', ')})` : main;
}

function capital(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** What the server says of a field ("$.email: ..."), as a French predicate, or null. */
export function fieldReason(err) {
  const at = /^(\$[^:\s]*): (.*)$/s.exec((err && err.apiMessage) || '');
  return at ? firstMatch(REASONS, at[2]) : null;
}

/**
 * The server's message for err (an ApiError: apiMessage, path) in French, or
 * null when these tables do not know it.
 */
export function frenchReason(err) {
  const text = err && err.apiMessage;
  if (!text) return null;
  const at = /^(\$[^:\s]*): /.exec(text);
  if (at) {
    const reason = fieldReason(err);
    return reason ? `${capital(fieldName(at[1]))} ${reason}.` : null;
  }
  return firstMatch(SENTENCES, text);
}
