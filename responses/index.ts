// Answers to surveys: finding a link, recording its first open, storing an answer once.
export { findLink, linkState, TOKEN_PATTERN, type LinkState, type SurveyLink } from './links';
export { recordOpened } from './opened';
export { storeResponse, type SubmitOutcome } from './store';
export { chooseLanguage } from './language';
