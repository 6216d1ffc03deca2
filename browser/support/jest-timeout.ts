// Browser tests drive Chromium and every service as real processes: allow them more than Jest's default 5 s.
jest.setTimeout(120_000);
