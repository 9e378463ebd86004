import { PgstewardError } from '../errors';

/**
 * A connection could not be described (bad URL, unreadable or malformed secret, IAM token not
 * signable). Its message names the secret ARN, host or field at fault and never a password,
 * token or secret value.
 */
export class CredentialsError extends PgstewardError {}
