/** Progress of one upload: bytes of the file handed to the network so far. */
export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface UploadRequest {
  url: string;
  token: string;
  bytes: Blob;
  filename: string;
  onProgress?: (p: UploadProgress) => void;
  signal?: AbortSignal;
}

export interface UploadResponse {
  status: number;
  bodyText: string;
  retryAfter: string | null;
}

/** Sends one multipart upload (field `file`) and reports progress; never throws for an HTTP error status. */
export type Uploader = (req: UploadRequest) => Promise<UploadResponse>;

/*
 * The few XMLHttpRequest members used, declared here so the library type-checks without the DOM lib
 * (it is compiled for Node too); at run time this is the browser's own XMLHttpRequest.
 */
interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  getResponseHeader(name: string): string | null;
  send(body: FormData): void;
  abort(): void;
  readonly status: number;
  readonly responseText: string;
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}

export function hasXhr(): boolean {
  return typeof (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest === 'function';
}

/** Browsers: XMLHttpRequest, whose `upload.onprogress` reports bytes as the browser sends them. */
export const xhrUploader: Uploader = (req) =>
  new Promise<UploadResponse>((resolve, reject) => {
    const Xhr = (globalThis as unknown as { XMLHttpRequest: new () => XhrLike }).XMLHttpRequest;
    const xhr = new Xhr();
    xhr.open('POST', req.url);
    xhr.setRequestHeader('authorization', `Bearer ${req.token}`);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => req.onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : req.bytes.size });
    xhr.onload = () => resolve({ status: xhr.status, bodyText: xhr.responseText, retryAfter: xhr.getResponseHeader('retry-after') });
    xhr.onerror = () => reject(new Error('upload failed'));
    xhr.onabort = () => reject(new Error('upload aborted'));
    req.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append('file', req.bytes, req.filename);
    xhr.send(form);
  });

const CHUNK = 64 * 1024;

/**
 * Platforms without XMLHttpRequest (Node ≥ 18, workers): fetch with a streamed multipart body, built here
 * with standard web APIs only. Progress counts the file's bytes as fetch pulls them from the stream, i.e.
 * as they are written to the connection.
 */
export function fetchStreamUploader(fetchImpl: typeof fetch = (i, init) => globalThis.fetch(i, init)): Uploader {
  return async (req) => {
    const boundary = `----wellifiy${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`;
    const enc = new TextEncoder();
    const safeName = req.filename.replace(/["\r\n]/g, '_');
    const head = enc.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\nContent-Type: ${req.bytes.type || 'application/octet-stream'}\r\n\r\n`,
    );
    const tail = enc.encode(`\r\n--${boundary}--\r\n`);
    const file = new Uint8Array(await req.bytes.arrayBuffer());
    const total = file.byteLength;
    let offset = 0;
    let headSent = false;
    let tailSent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!headSent) {
          headSent = true;
          controller.enqueue(head);
          return;
        }
        if (offset < total) {
          const chunk = file.subarray(offset, Math.min(total, offset + CHUNK));
          offset += chunk.byteLength;
          controller.enqueue(chunk);
          req.onProgress?.({ loaded: offset, total });
          return;
        }
        if (!tailSent) {
          tailSent = true;
          controller.enqueue(tail);
          return;
        }
        controller.close();
      },
    });
    const init: RequestInit & { duplex: 'half' } = {
      method: 'POST',
      headers: {
        authorization: `Bearer ${req.token}`,
        accept: 'application/json',
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.byteLength + total + tail.byteLength),
      },
      body,
      // Required by the fetch standard for a streamed request body.
      duplex: 'half',
      signal: req.signal,
    };
    const res = await fetchImpl(req.url, init);
    return { status: res.status, bodyText: await res.text(), retryAfter: res.headers.get('retry-after') };
  };
}
