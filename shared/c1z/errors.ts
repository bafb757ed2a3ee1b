/** A c1z file could not be written or read; the message is one line that names the file and the problem. */
export class C1zError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'C1zError';
    this.code = code;
  }
}
