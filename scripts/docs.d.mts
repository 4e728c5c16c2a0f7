export function renderTables(actionYaml: string): { inputs: string; outputs: string }
export function docFiles(): string[]
export function updateSections(text: string, sections: Record<string, string>): string
export function quoteComment(body: string): string
