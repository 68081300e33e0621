// Errors that end a run with a one-line message (exit code 2 unless said otherwise).

/** Bad arguments, unreadable config or paths: the user's to fix. */
export class ExitError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

/** What a command needs from its environment (tests pass fakes). */
export interface IO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
}
