/** Every family of checks, in the order a report lists them. */
import type { CheckFamily } from './context';
import { activity } from './activity';
import { wraparound } from './wraparound';
import { sequences } from './sequences';
import { indexes } from './indexes';
import { replication } from './replication';
import { cache } from './cache';
import { vacuum } from './vacuum';
import { prepared } from './prepared';

export const FAMILIES: CheckFamily[] = [activity, wraparound, sequences, indexes, replication, cache, vacuum, prepared];
