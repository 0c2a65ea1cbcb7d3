import { describe, expect, it } from 'vitest';
import { modelSentence, modelShort, parseAutoDescription } from './model-story.js';

// the descriptions as models/auto.ts writes them (taken from a fit on simulated CPU)
const SPLIT =
  'auto: sarima ARIMA(1,0,1)+AR12 + 4 Fourier pairs m=288 for 12 steps, then mean of sarima ARIMA(1,0,1)+AR12 + ' +
  '4 Fourier pairs m=288 + seasonal_naive seasonal naive m=288, conformal bands (48 steps)';

describe('parseAutoDescription', () => {
  it('reads the early pick, the mean of two after it and the bands, keeping pluses inside a member', () => {
    expect(parseAutoDescription(SPLIT)).toEqual({
      early: { steps: 12, members: [{ name: 'sarima', detail: 'ARIMA(1,0,1)+AR12 + 4 Fourier pairs m=288' }] },
      late: [
        { name: 'sarima', detail: 'ARIMA(1,0,1)+AR12 + 4 Fourier pairs m=288' },
        { name: 'seasonal_naive', detail: 'seasonal naive m=288' },
      ],
      bands: 'conformal bands (48 steps)',
    });
  });

  it('reads a single pick, and refuses what is not a choice', () => {
    expect(parseAutoDescription('auto: ets ETS(A,N,A) m=288, conformal bands (48 steps)')?.late).toEqual([
      { name: 'ets', detail: 'ETS(A,N,A) m=288' },
    ]);
    expect(parseAutoDescription('auto: last value (short history)')).toBeUndefined();
    expect(parseAutoDescription('ETS(A,N,A) m=288')).toBeUndefined();
    expect(parseAutoDescription('auto: Something Else')).toBeUndefined();
  });
});

describe('the model in words', () => {
  const auto = { requested: 'auto', serving: 'sarima', description: SPLIT };

  it('says what auto serves, with its steps as a duration', () => {
    expect(modelSentence(auto, 300)).toBe(
      'auto serves sarima for the first 1h, then the mean of sarima and seasonal_naive.',
    );
    expect(modelShort(auto, 300)).toBe('auto → sarima (first 1h), then sarima + seasonal_naive');
  });

  it('shows other descriptions as they are, and says when nothing is fitted', () => {
    expect(modelSentence({ requested: 'ets', serving: 'ets', description: 'ETS(A,N,A) m=288' }, 300)).toBe(
      'ETS(A,N,A) m=288',
    );
    expect(modelShort({ requested: 'ets', serving: 'ets', description: 'x' }, 300)).toBe('ets');
    expect(modelShort({ requested: 'lstm', serving: 'auto', description: 'x' }, 300)).toBe('lstm → auto');
    expect(modelSentence({ requested: 'auto', serving: null, description: null }, 300)).toBe('not fitted yet');
    expect(
      modelSentence({ requested: 'auto', serving: 'auto', description: 'auto: last value (short history)' }, 60),
    ).toBe('auto: last value (short history)');
  });
});
