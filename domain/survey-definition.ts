/**
 * A survey version's definition: pages of questions. The full schema and answer validation
 * live here once the surveys issue lands; this type is what the database stores.
 */
export type LocalizedText = Record<string, string>;

export interface SurveyQuestionBase {
  id: string;
  referenceCode?: string;
  recordField?: string;
  label: LocalizedText;
  required: boolean;
}

export interface SurveyDefinition {
  languages: string[];
  pages: { id: string; questions: (SurveyQuestionBase & { type: string; [key: string]: unknown })[] }[];
}
