// i18n: the French words the pages show for the API's codes.
import { frenchReason } from './errors.js';
export const LEVELS = { mandatory: 'Obligatoire', recommended: 'Recommandé', advised: 'Conseillé' };
export const LEVELS_PLURAL = { mandatory: 'obligatoires', recommended: 'recommandés', advised: 'conseillés' };
export const ANSWERS = {
  met: 'Satisfait totalement',
  partial: 'Partiellement',
  not_met: 'Non satisfait',
  not_applicable: 'Non applicable',
};
export const ANSWER_ORDER = ['met', 'partial', 'not_met', 'not_applicable'];
export const OUTCOMES = { eligible: 'Éligible au label', not_eligible: 'Non éligible', incomplete: 'Incomplet' };
export const DECISIONS = { awarded: 'Label attribué', refused: 'Label refusé', deferred: 'Décision ajournée' };
export const LABEL_STATUS = {
  none: 'Non engagée',
  engaged: 'Engagée dans la démarche',
  labelled: 'Labellisée',
  expired: 'Label expiré',
};
export const ASSESSMENT_STATUS = { draft: 'Brouillon', submitted: 'Soumis', decided: 'Décidé' };
/** An auto-évaluation is feminine in French. */
export const ASSESSMENT_STATUS_F = { draft: 'Brouillon', submitted: 'Soumise', decided: 'Décidée' };
export const KINDS = { self_assessment: 'Auto-évaluation', audit: 'Audit' };
export const ROLES = {
  cae: 'Membre de CAE',
  auditor: 'Auditeur ou auditrice',
  committee: 'Comité de labellisation',
  admin: 'Administration du réseau',
};
/** A role in words; "none" is a new account's while its committee role waits for confirmation. */
export function roleName(role) {
  return ROLES[role] || (role === 'none' ? 'Aucun rôle' : role);
}
export const ACTION_STATUS = { todo: 'À faire', doing: 'En cours', done: 'Fait' };

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre',
  'octobre', 'novembre', 'décembre'];

/** "2029-03-02" or "2026-11-28T21:25:01Z" -> "2 mars 2029". */
export function frDate(iso) {
  if (!iso) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const day = Number(m[3]);
  return `${day === 1 ? '1er' : day} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

/** "2026-11-28T21:25:01Z" -> "28 novembre 2026 21:25:01 UTC" (a date alone stays a date). */
export function frDateTime(iso) {
  if (!iso) return '—';
  const t = /T(\d{2}):(\d{2}):(\d{2})/.exec(iso);
  return `${frDate(iso)}${t ? ` ${t[1]}:${t[2]}:${t[3]} UTC` : ''}`;
}

export function frNumber(n, digits = 1) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return Number(n).toFixed(digits).replace('.', ',').replace(/,0+$/, '');
}

export function frPercent(ratio) {
  return `${frNumber(ratio * 100)} %`;
}

/** "de Denis", "d’Ada": the French elision before a vowel. */
export function ofName(name) {
  return /^[aeiouyàâäéèêëîïôöùûüœ]/i.test(name) ? `d’${name}` : `de ${name}`;
}

export function plural(n, one, many) {
  return `${n} ${n > 1 ? many : one}`;
}

/**
 * The French words for an API error: the server's reason in French when
 * errors.js knows it, else the status's sentence; the server's own text as
 * a technical detail (folded in the page).
 */
export function errorText(err) {
  const status = err && err.status;
  const detail = err && err.apiMessage;
  const base = {
    0: 'Le serveur est injoignable : vérifiez votre connexion, puis réessayez.',
    400: 'La saisie est refusée : vérifiez les champs.',
    401: 'Votre session a expiré : reconnectez-vous.',
    403: 'Accès refusé : votre rôle ou votre organisation ne permet pas cette action.',
    404: 'Introuvable : cet élément n’existe pas ou plus.',
    405: 'Opération non prise en charge.',
    409: 'Opération impossible dans l’état actuel.',
    412: 'Ceci a été modifié ailleurs depuis l’ouverture de la page : rechargez la page.',
    413: 'Le contenu envoyé est trop volumineux.',
    415: 'Format de données refusé.',
    422: 'Le fichier est refusé : l’analyse antivirus y a détecté un virus.',
    429: 'Trop de tentatives : patientez quelques minutes.',
    503: 'Le service est momentanément indisponible : réessayez dans un instant.',
  }[status] || 'Le serveur a rencontré une erreur : réessayez plus tard.';
  const reason = status ? frenchReason(err) : null;
  return { text: reason || base, reason, detail: detail && status !== 0 ? detail : null };
}

/** 1536 -> "1,5 Ko", 20971520 -> "20 Mo": a size in French units (of 1024). */
export function frSize(bytes) {
  const n = Number(bytes);
  if (!Number.isFinite(n) || n < 0) return '—';
  if (n < 1024) return `${n} octet${n > 1 ? 's' : ''}`;
  const units = ['Ko', 'Mo', 'Go', 'To'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${frNumber(v, v < 10 ? 1 : 0)} ${units[i]}`;
}

/** An evidence document's type (its MIME type, read by the server) in words. */
const DOC_TYPES = {
  'application/pdf': 'PDF',
  'image/png': 'Image PNG',
  'image/jpeg': 'Image JPEG',
  'text/plain': 'Texte',
  'text/csv': 'Tableau CSV',
  'application/vnd.oasis.opendocument.text': 'Texte OpenDocument',
  'application/vnd.oasis.opendocument.spreadsheet': 'Classeur OpenDocument',
  'application/vnd.oasis.opendocument.presentation': 'Présentation OpenDocument',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Document Word',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Classeur Excel',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'Présentation PowerPoint',
  'text/html': 'Page web HTML',
};
export function docType(type) {
  if (!type) return '—';
  return DOC_TYPES[type] || (type.startsWith('application/vnd.oasis.opendocument') ? 'Document OpenDocument' : type);
}

/** What the library accepts, in words (as the server's allowlist). */
export const DOC_ACCEPTED = 'PDF, images PNG ou JPEG, documents OpenDocument ou Office (Word, Excel, PowerPoint), texte ou CSV';
