// Contacts: what stops their surveys (opt-out, bounce, a changed contact), told to running members.
export { contactChanged, optOutContacts, recordHardBounce, type ContactSelector } from './suppression';
