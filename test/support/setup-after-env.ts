import 'aws-sdk-client-mock-jest';
import { recordTestErrors, startCapture } from './secret-capture';

// Everything this file prints, writes and fails with goes to the suite-wide secret check
// (support/secret-capture.ts, scanned by global-teardown.ts).
startCapture(expect.getState().testPath ?? '(unknown test file)');
afterAll(() => recordTestErrors());
