// Allure Report 3 configuration, read by `allure generate` from the working directory
// (npm run report). Categories live here in Allure 3, not in a categories.json next to the
// results. Matching: rules are tried in order, the first whose matcher list has ANY matching
// entry wins; within one matcher object all given fields must match (statuses, message, trace).
// The message prefixes are FAILURE_PREFIX in helpers/report/report.ts; a unit test
// (helpers/report/allurerc.test.ts) runs them through Allure's own matcher.

const notPassed = ['failed', 'broken'];

/** @type {import('allure').AllureConfig} */
export default {
  name: 'kind IPVS conformance',
  output: 'reports/allure-report',
  categories: {
    rules: [
      {
        name: 'IPVS deprecated / gated off',
        // The preflight may also skip with this reason, so skipped results are matched too.
        matchers: [{ statuses: [...notPassed, 'skipped'], message: /^(?:IPVS deprecated:|IPVS gated off:)/ }],
      },
      {
        name: 'Cluster creation failed',
        matchers: [
          { statuses: notPassed, message: /^Cluster creation failed:/ },
          { statuses: notPassed, message: /feature gate .* not recognised|kind create cluster/i },
        ],
      },
      {
        name: 'Kube-proxy not in IPVS mode',
        matchers: [{ statuses: notPassed, message: /^Kube-proxy not in IPVS mode:/ }],
      },
      {
        name: 'Parser could not read tool output',
        // ParseError's message does not contain its class name, its stack trace starts with it.
        matchers: [
          { statuses: notPassed, message: /ParseError/ },
          { statuses: notPassed, trace: /^ParseError\b|\bParseError:/m },
        ],
      },
    ],
  },
};
