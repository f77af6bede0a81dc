import { loadApiConfig } from './config';

describe('API configuration', () => {
  it('reads numbers from the environment and applies defaults', () => {
    const c = loadApiConfig({ API_PORT: '3300', DB_POOL_SIZE: '8' });
    expect(c.API_PORT).toBe(3300);
    expect(c.DB_POOL_SIZE).toBe(8);
    expect(c.DATA_DIR).toBe('./data');
    expect(loadApiConfig({}).API_PORT).toBe(3000);
  });

  it('stops with a message naming the bad variable', () => {
    expect(() => loadApiConfig({ API_PORT: 'abc' })).toThrow(/API_PORT/);
    expect(() => loadApiConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadApiConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
    expect(() => loadApiConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });
});
