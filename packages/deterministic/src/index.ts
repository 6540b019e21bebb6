export { type Clock, systemClock } from './clock.js';
export { pick, type Random, randomInt, seededRandom, shuffle, systemRandom } from './random.js';
export { VirtualClock } from './virtual-clock.js';
