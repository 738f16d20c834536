/*
 * labels.js — display names and badge colours of the backend's enums (stages, statuses,
 * employment types, roles), all through i18n so both languages stay in one place.
 */
import { t } from './i18n.js';
import { badge } from './dom.js';

export const STAGES = ['document', 'written_test', 'ai_interview', 'practical', 'executive', 'final'];
export const EMPLOYMENT = ['full_time', 'part_time', 'contract', 'internship', 'temporary'];
export const MEMBER_ROLES = ['manager', 'recruiter', 'interviewer'];

export const stageName = (s) => t('stage.' + s);
export const employmentName = (s) => t('employment.' + s);
export const roleName = (s) => t('role.' + s);

const KIND = {
  open: 'ok', scheduled: 'info', closed: 'neutral',
  in_progress: 'primary', passed: 'ok', rejected: 'bad', failed: 'bad', on_hold: 'warn', withdrawn: 'neutral',
  pending: 'neutral', invited: 'info', accepted: 'ok', declined: 'bad',
};
export function statusBadge(status) { return badge(t('status.' + status), KIND[status] || 'neutral'); }
