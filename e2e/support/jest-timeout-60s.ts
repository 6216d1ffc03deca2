// End-to-end tests drive several processes: allow them more than Jest's default 5 s.
jest.setTimeout(60_000);
