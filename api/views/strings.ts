import type { AnswerProblemCode, SupportedLanguage } from '../../domain/survey-definition';

/** The form's own texts, in every language a survey may use. */
export interface FormStrings {
  languageName: string;
  languageSwitch: string;
  step: string;
  next: string;
  submit: string;
  back: string;
  required: string;
  npsHint: string;
  npsLow: string;
  npsHigh: string;
  scaleHint: string;
  chooseOne: string;
  chooseAny: string;
  maxLength: string;
  errorSummary: string;
  errorTitlePrefix: string;
  errors: Record<AnswerProblemCode, string>;
  pages: Record<'thanks' | 'invalid' | 'expired' | 'closed' | 'answered' | 'tooMany' | 'forged' | 'tooLarge' | 'unstorable' | 'failed', { title: string; body: string }>;
  startAgain: string;
  versionChanged: string;
  /** Shown on every step of an anonymous survey. */
  anonymous: string;
}

const nl: FormStrings = {
  languageName: 'Nederlands',
  languageSwitch: 'Taal',
  step: 'Stap {n}',
  next: 'Volgende',
  submit: 'Versturen',
  back: 'Vorige',
  required: '(verplicht)',
  npsHint: '0 = {low}, 10 = {high}',
  npsLow: 'zeer onwaarschijnlijk',
  npsHigh: 'zeer waarschijnlijk',
  scaleHint: '{min} = {low}, {max} = {high}',
  chooseOne: 'Kies één antwoord.',
  chooseAny: 'Kies alles wat van toepassing is.',
  maxLength: 'Maximaal {max} tekens.',
  errorSummary: 'Er is een probleem',
  errorTitlePrefix: 'Fout: ',
  errors: {
    unknown_question: 'Deze vraag bestaat niet.',
    hidden: 'Deze vraag hoort niet bij uw eerdere antwoorden.',
    required: 'Beantwoord deze vraag.',
    not_integer: 'Kies een getal van {min} tot en met {max}.',
    out_of_range: 'Kies een getal van {min} tot en met {max}.',
    not_text: 'Vul tekst in.',
    too_long: 'Gebruik maximaal {max} tekens.',
    not_option: 'Kies een van de genoemde antwoorden.',
    not_single: 'Kies één antwoord.',
    duplicate_option: 'Kies elk antwoord maar één keer.',
  },
  pages: {
    thanks: { title: 'Bedankt!', body: 'Uw antwoorden zijn ontvangen. Bedankt voor uw tijd.' },
    invalid: { title: 'Deze link werkt niet', body: 'Wij kunnen deze enquête niet vinden. Controleer of u de volledige link uit de e-mail hebt gebruikt.' },
    expired: { title: 'Deze link is verlopen', body: 'De termijn om deze enquête in te vullen is voorbij. Bedankt voor uw interesse.' },
    closed: { title: 'Deze enquête is gesloten', body: 'Deze enquête neemt geen antwoorden meer aan. Bedankt voor uw interesse.' },
    answered: { title: 'U hebt deze enquête al ingevuld', body: 'Met deze link zijn al antwoorden verstuurd. Elke link kan één keer worden gebruikt.' },
    tooMany: { title: 'Even geduld', body: 'Er komen te veel verzoeken binnen. Probeer het over een minuut opnieuw.' },
    forged: { title: 'Het formulier is verlopen', body: 'Wij konden het formulier niet controleren. Open de enquête opnieuw en probeer het nog eens.' },
    unstorable: { title: 'Onbekend teken', body: 'Uw antwoorden bevatten een teken dat niet verstuurd kan worden. Ga terug en verwijder het.' },
    tooLarge: { title: 'Te veel tekst', body: 'Uw antwoorden zijn te lang om te versturen. Ga terug en maak ze korter.' },
    failed: { title: 'Er ging iets mis', body: 'Uw antwoorden zijn niet verstuurd. Probeer het later opnieuw.' },
  },
  startAgain: 'Naar de enquête',
  versionChanged: 'De enquête is intussen gewijzigd. Begin alstublieft opnieuw.',
  anonymous: 'Deze enquête is anoniem: uw antwoorden worden niet aan uw naam, e-mailadres of organisatie gekoppeld. We registreren alleen dát deze link is beantwoord.',
};

const en: FormStrings = {
  languageName: 'English',
  languageSwitch: 'Language',
  step: 'Step {n}',
  next: 'Next',
  submit: 'Submit',
  back: 'Back',
  required: '(required)',
  npsHint: '0 = {low}, 10 = {high}',
  npsLow: 'not at all likely',
  npsHigh: 'extremely likely',
  scaleHint: '{min} = {low}, {max} = {high}',
  chooseOne: 'Choose one answer.',
  chooseAny: 'Choose all that apply.',
  maxLength: 'At most {max} characters.',
  errorSummary: 'There is a problem',
  errorTitlePrefix: 'Error: ',
  errors: {
    unknown_question: 'This question does not exist.',
    hidden: 'This question does not apply to your earlier answers.',
    required: 'Please answer this question.',
    not_integer: 'Choose a number from {min} to {max}.',
    out_of_range: 'Choose a number from {min} to {max}.',
    not_text: 'Enter text.',
    too_long: 'Use at most {max} characters.',
    not_option: 'Choose one of the answers shown.',
    not_single: 'Choose one answer.',
    duplicate_option: 'Choose each answer only once.',
  },
  pages: {
    thanks: { title: 'Thank you!', body: 'We have received your answers. Thank you for your time.' },
    invalid: { title: 'This link does not work', body: 'We cannot find this survey. Please check that you used the complete link from the email.' },
    expired: { title: 'This link has expired', body: 'The time to answer this survey has passed. Thank you for your interest.' },
    closed: { title: 'This survey is closed', body: 'This survey no longer takes answers. Thank you for your interest.' },
    answered: { title: 'You have already answered this survey', body: 'Answers were already sent with this link. Each link can be used once.' },
    tooMany: { title: 'Please wait a moment', body: 'Too many requests are coming in. Please try again in a minute.' },
    forged: { title: 'The form has expired', body: 'We could not verify the form. Please open the survey again and retry.' },
    unstorable: { title: 'Unknown character', body: 'Your answers contain a character that cannot be sent. Please go back and remove it.' },
    tooLarge: { title: 'Too much text', body: 'Your answers are too long to send. Please go back and shorten them.' },
    failed: { title: 'Something went wrong', body: 'Your answers were not sent. Please try again later.' },
  },
  startAgain: 'Go to the survey',
  versionChanged: 'The survey has been changed in the meantime. Please start again.',
  anonymous: 'This survey is anonymous: your answers are not linked to your name, email address or organisation. We only record that this link was answered.',
};

const de: FormStrings = {
  languageName: 'Deutsch',
  languageSwitch: 'Sprache',
  step: 'Schritt {n}',
  next: 'Weiter',
  submit: 'Absenden',
  back: 'Zurück',
  required: '(Pflichtfeld)',
  npsHint: '0 = {low}, 10 = {high}',
  npsLow: 'sehr unwahrscheinlich',
  npsHigh: 'sehr wahrscheinlich',
  scaleHint: '{min} = {low}, {max} = {high}',
  chooseOne: 'Wählen Sie eine Antwort.',
  chooseAny: 'Wählen Sie alles Zutreffende.',
  maxLength: 'Höchstens {max} Zeichen.',
  errorSummary: 'Es gibt ein Problem',
  errorTitlePrefix: 'Fehler: ',
  errors: {
    unknown_question: 'Diese Frage gibt es nicht.',
    hidden: 'Diese Frage passt nicht zu Ihren früheren Antworten.',
    required: 'Bitte beantworten Sie diese Frage.',
    not_integer: 'Wählen Sie eine Zahl von {min} bis {max}.',
    out_of_range: 'Wählen Sie eine Zahl von {min} bis {max}.',
    not_text: 'Geben Sie Text ein.',
    too_long: 'Verwenden Sie höchstens {max} Zeichen.',
    not_option: 'Wählen Sie eine der angezeigten Antworten.',
    not_single: 'Wählen Sie eine Antwort.',
    duplicate_option: 'Wählen Sie jede Antwort nur einmal.',
  },
  pages: {
    thanks: { title: 'Vielen Dank!', body: 'Wir haben Ihre Antworten erhalten. Vielen Dank für Ihre Zeit.' },
    invalid: { title: 'Dieser Link funktioniert nicht', body: 'Wir finden diese Umfrage nicht. Bitte prüfen Sie, ob Sie den vollständigen Link verwendet haben.' },
    expired: { title: 'Dieser Link ist abgelaufen', body: 'Die Frist für diese Umfrage ist vorbei. Vielen Dank für Ihr Interesse.' },
    closed: { title: 'Diese Umfrage ist geschlossen', body: 'Diese Umfrage nimmt keine Antworten mehr an. Vielen Dank für Ihr Interesse.' },
    answered: { title: 'Sie haben diese Umfrage bereits beantwortet', body: 'Mit diesem Link wurden bereits Antworten gesendet. Jeder Link gilt einmal.' },
    tooMany: { title: 'Einen Moment bitte', body: 'Zu viele Anfragen. Bitte versuchen Sie es in einer Minute erneut.' },
    forged: { title: 'Das Formular ist abgelaufen', body: 'Wir konnten das Formular nicht prüfen. Bitte öffnen Sie die Umfrage erneut.' },
    unstorable: { title: 'Unbekanntes Zeichen', body: 'Ihre Antworten enthalten ein Zeichen, das nicht gesendet werden kann. Bitte entfernen Sie es.' },
    tooLarge: { title: 'Zu viel Text', body: 'Ihre Antworten sind zu lang. Bitte kürzen Sie sie.' },
    failed: { title: 'Etwas ist schiefgegangen', body: 'Ihre Antworten wurden nicht gesendet. Bitte versuchen Sie es später erneut.' },
  },
  startAgain: 'Zur Umfrage',
  versionChanged: 'Die Umfrage wurde inzwischen geändert. Bitte beginnen Sie erneut.',
  anonymous: 'Diese Umfrage ist anonym: Ihre Antworten werden nicht mit Ihrem Namen, Ihrer E-Mail-Adresse oder Ihrer Organisation verknüpft. Wir erfassen nur, dass dieser Link beantwortet wurde.',
};

const fr: FormStrings = {
  languageName: 'Français',
  languageSwitch: 'Langue',
  step: 'Étape {n}',
  next: 'Suivant',
  submit: 'Envoyer',
  back: 'Précédent',
  required: '(obligatoire)',
  npsHint: '0 = {low}, 10 = {high}',
  npsLow: 'pas du tout probable',
  npsHigh: 'très probable',
  scaleHint: '{min} = {low}, {max} = {high}',
  chooseOne: 'Choisissez une réponse.',
  chooseAny: 'Choisissez toutes les réponses qui s’appliquent.',
  maxLength: '{max} caractères au maximum.',
  errorSummary: 'Il y a un problème',
  errorTitlePrefix: 'Erreur : ',
  errors: {
    unknown_question: 'Cette question n’existe pas.',
    hidden: 'Cette question ne correspond pas à vos réponses précédentes.',
    required: 'Veuillez répondre à cette question.',
    not_integer: 'Choisissez un nombre de {min} à {max}.',
    out_of_range: 'Choisissez un nombre de {min} à {max}.',
    not_text: 'Saisissez du texte.',
    too_long: 'Utilisez {max} caractères au maximum.',
    not_option: 'Choisissez l’une des réponses proposées.',
    not_single: 'Choisissez une seule réponse.',
    duplicate_option: 'Choisissez chaque réponse une seule fois.',
  },
  pages: {
    thanks: { title: 'Merci !', body: 'Nous avons bien reçu vos réponses. Merci pour votre temps.' },
    invalid: { title: 'Ce lien ne fonctionne pas', body: 'Nous ne trouvons pas cette enquête. Vérifiez que vous avez utilisé le lien complet.' },
    expired: { title: 'Ce lien a expiré', body: 'Le délai pour répondre à cette enquête est passé. Merci de votre intérêt.' },
    closed: { title: 'Cette enquête est close', body: 'Cette enquête n’accepte plus de réponses. Merci de votre intérêt.' },
    answered: { title: 'Vous avez déjà répondu à cette enquête', body: 'Des réponses ont déjà été envoyées avec ce lien. Chaque lien ne sert qu’une fois.' },
    tooMany: { title: 'Un instant, s’il vous plaît', body: 'Trop de demandes. Réessayez dans une minute.' },
    forged: { title: 'Le formulaire a expiré', body: 'Nous n’avons pas pu vérifier le formulaire. Rouvrez l’enquête et réessayez.' },
    unstorable: { title: 'Caractère inconnu', body: 'Vos réponses contiennent un caractère qui ne peut pas être envoyé. Supprimez-le.' },
    tooLarge: { title: 'Trop de texte', body: 'Vos réponses sont trop longues. Raccourcissez-les.' },
    failed: { title: 'Une erreur est survenue', body: 'Vos réponses n’ont pas été envoyées. Réessayez plus tard.' },
  },
  startAgain: 'Aller à l’enquête',
  versionChanged: 'L’enquête a été modifiée entre-temps. Veuillez recommencer.',
  anonymous: 'Cette enquête est anonyme : vos réponses ne sont liées ni à votre nom, ni à votre adresse e-mail, ni à votre organisation. Nous enregistrons seulement que ce lien a reçu une réponse.',
};

export const FORM_STRINGS: Record<SupportedLanguage, FormStrings> = { nl, en, de, fr };

export function stringsFor(language: string): FormStrings {
  return FORM_STRINGS[language as SupportedLanguage] ?? en;
}
