import { hasOathtool, hasRadclient } from './radius-tools';

// describe where radclient and oathtool are installed; describe.skip where either is missing.
// (Not in radius-tools.ts: the build compiles that one, without Jest's globals.)
export const describeIfTools = hasRadclient && hasOathtool ? describe : describe.skip;
