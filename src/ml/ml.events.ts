/** What the ML module announces (`ml` WebSocket topic: PREDICTION). */
declare module '../platform/events/event-bus' {
  interface DomainEvents {
    /** A model became active. */
    'ml.model': { id: string; type: string; version: number; status: string };
    /** The active model's prediction of a symbol at a candle's close. */
    'ml.prediction': {
      id: string;
      symbol: string;
      modelType: string;
      modelId: string;
      modelVersion: number;
      timeframe: string;
      prediction: string;
      confidence: number;
      probabilities: Record<string, number>;
      featuresHash: string;
      candleTime: string;
      timestamp: string;
    };
  }
}

export {};
