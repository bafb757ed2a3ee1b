// The five resource types (README.md, What it syncs) and the ids shared between syncers: the same as Slack Enterprise's.
export * from '../../../shared/slack/resources.ts';
