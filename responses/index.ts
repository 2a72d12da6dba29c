// Answers to surveys: finding a link, recording its first open, storing an answer once, finding and reading answers.
export { findLink, linkState, TOKEN_PATTERN, type LinkState, type SurveyLink } from './links';
export { recordOpened } from './opened';
export { storeResponse, type SubmitOutcome } from './store';
export { chooseLanguage } from './language';
export { COUNT_CAP, listResponses, type ListedResponse, type ResponseFilter, type ResponsePosition } from './search';
export { readResponse } from './detail';
