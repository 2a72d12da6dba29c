import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes, so operators can filter member workflows in the Temporal UI by
 * campaign, contact and where each member stands.
 */
export const CampaignIdAttribute = defineSearchAttributeKey('NpsCampaignId', SearchAttributeType.KEYWORD);
export const ContactIdAttribute = defineSearchAttributeKey('NpsContactId', SearchAttributeType.KEYWORD);
export const MemberStatusAttribute = defineSearchAttributeKey('NpsMemberStatus', SearchAttributeType.KEYWORD);

/** The same attributes as the dev server's `--search-attribute NAME=Type` flags want them. */
export const SEARCH_ATTRIBUTE_TYPES: Record<string, 'Keyword'> = {
  [CampaignIdAttribute.name]: 'Keyword',
  [ContactIdAttribute.name]: 'Keyword',
  [MemberStatusAttribute.name]: 'Keyword',
};
