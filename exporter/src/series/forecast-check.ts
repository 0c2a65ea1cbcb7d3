/** The check moved to models/forecast-check.ts (the fallback chain uses it too); kept for old imports. */
export { forecastProblem } from '../models/forecast-check.js';
