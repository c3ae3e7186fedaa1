// `npm run build:site` and the prepare step: build the site unless it is up to date. Never fails
// an install: `salesight serve` retries the build and says what went wrong.
import { buildSiteIfStale } from './site-build.ts';

try {
  buildSiteIfStale((line) => console.log(line));
} catch (err) {
  console.warn(`salesight: ${(err as Error).message}\n(salesight serve will try again.)`);
}
