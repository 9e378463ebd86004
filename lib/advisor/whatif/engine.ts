/** What the advisor asks of a what-if engine: add an index, plan, take it away, leave nothing. */
import type { IndexDef } from '../index-sql';

export interface WhatIfIndex {
  id: string;
  /** The name plans show for it, to tell whether the planner chose it. */
  planName: string;
  /** Estimated size on disk. */
  sizeBytes: number;
}

export interface WhatIfEngine {
  readonly name: 'hypopg' | 'trial';
  add(def: IndexDef): Promise<WhatIfIndex>;
  remove(index: WhatIfIndex): Promise<void>;
  /** Removes every index this engine added. */
  reset(): Promise<void>;
  /** Resets and releases: after close() the database holds nothing of ours. */
  close(): Promise<void>;
}
