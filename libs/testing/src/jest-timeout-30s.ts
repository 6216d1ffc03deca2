// Integration tests talk to real servers: allow them more than Jest's default 5 s (a per-project testTimeout is ignored).
jest.setTimeout(30_000);
