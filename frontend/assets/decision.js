/*
 * decision.js — the pass / fail / hold dialog shared by the pipeline board (single and bulk)
 * and the application page. A reason is required (the backend refuses a decision without
 * one and keeps it in the audit log). For a stage with a panel whose members have not all
 * submitted, the backend answers 409; the dialog then offers acknowledge_missing, so the
 * recruiter decides knowingly rather than on one evaluator's score.
 */
import { api, ROUTES } from './api.js';
import { t } from './i18n.js';
import { h, field, errorBox, submitting, announce } from './dom.js';
import { stageName } from './labels.js';

/* opts: {jobId, ids:[application ids], stage (current stage or null when mixed), decision,
 * names:[display names], onDone()} */
export function openDecision(opts) {
  const dlg = h('dialog', { class: 'card dialog', 'aria-labelledby': 'dlg-title' });
  const ack = field({ name: 'acknowledge_missing', label: t('decision.ack'), type: 'checkbox', hint: t('decision.ackHint') });
  ack.hidden = true;
  const form = h('form', { novalidate: true }, errorBox(),
    h('h2', { id: 'dlg-title' }, t('decision.title', { n: opts.ids.length })),
    h('p', { class: 'hint' }, opts.stage ? t('decision.stage', { stage: stageName(opts.stage) }) : t('decision.mixed'),
      opts.names && opts.names.length ? ' · ' + opts.names.slice(0, 5).join(', ') + (opts.names.length > 5 ? ' …' : '') : ''),
    field({ name: 'decision', label: t('decision.decision'), type: 'select', value: opts.decision || 'pass',
      options: [['pass', t('decision.pass')], ['fail', t('decision.fail')], ['hold', t('decision.hold')]] }),
    field({ name: 'reason', label: t('decision.reason'), type: 'textarea', rows: 3, required: true, hint: t('decision.reasonHint') }),
    ack,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('decision.confirm')),
      h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, t('common.cancel'))));
  submitting(form, async (fd) => {
    const reason = String(fd.get('reason') || '').trim();
    if (!reason) throw { field: 'reason', message: t('decision.reasonRequired') };
    const body = { decision: fd.get('decision'), reason };
    if (opts.stage) body.stage = opts.stage;
    if (fd.get('acknowledge_missing')) body.acknowledge_missing = true;
    try {
      if (opts.ids.length === 1) await api(ROUTES.decision, { params: { id: opts.ids[0] }, body });
      else await api(ROUTES.bulkDecision, { params: { id: opts.jobId }, body: { ...body, application_ids: opts.ids } });
    } catch (err) {
      if (err.status === 409 && /acknowledge_missing/.test(err.message)) ack.hidden = false;
      throw err;
    }
    dlg.close();
    announce(t('decision.done', { n: opts.ids.length }));
    opts.onDone();
  });
  dlg.append(form);
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  form.querySelector('[name="reason"]').focus();
}
