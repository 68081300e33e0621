// Where the project lives: used for SARIF informationUri/helpUri and docs links.
export const HOMEPAGE = "https://github.com/alembic-lint/alembic-lint";

/** README anchor of a rule's section (GitHub slug of "ALM104 unreversed-operation"). */
export function ruleAnchor(code: string, name: string): string {
  return `${code.toLowerCase()}-${name}`;
}

export function ruleHelpUri(code: string, name: string): string {
  return `${HOMEPAGE}#${ruleAnchor(code, name)}`;
}
