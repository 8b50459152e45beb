import { beforeEach } from 'vitest';
import { labels } from '../../helpers/report/report.ts';

/** Labels every test of a suite file with its Allure epic/feature/story (one line per file). */
export function reportAs(feature: string, story: string): void {
  beforeEach(async () => {
    await labels({ epic: 'kube-proxy IPVS mode on kind', feature, story });
  });
}
