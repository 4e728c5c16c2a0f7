/** An input as action.yml declares it: the input table's ACTION_INPUTS. */
export interface ActionInput {
  name: string
  description: string
  default: string
}
export function renderTables(actionYaml: string, inputs: ActionInput[]): { inputs: string; outputs: string }
export function updateActionInputs(actionYaml: string, inputs: ActionInput[]): string
export function docFiles(): string[]
export function updateSections(text: string, sections: Record<string, string>): string
export function quoteComment(body: string): string
