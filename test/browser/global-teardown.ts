/** jest globalTeardown of the `browser` project: stops the router (if this run started it). */
export { default } from '../integration/global-teardown';
