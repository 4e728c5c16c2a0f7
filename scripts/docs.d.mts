export function renderTables(actionYaml: string): { inputs: string; outputs: string }
export function updateReadme(readme: string, sections: Record<string, string>): string
export function quoteComment(body: string): string
