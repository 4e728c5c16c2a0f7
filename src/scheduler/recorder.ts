import { MeasuredImage } from '../judge/judge.js'
import { ImageTarget } from '../shared/types.js'
import { SideResult } from './build-side.js'

/**
 * Keeps `measured` in the targets' order while images finish in any order, so a run that
 * stops half-way still reports what it worked on, and only that. Images already in
 * `measured` (from an earlier step) stay in front.
 */
export class Recorder {
  private readonly started: MeasuredImage[] = []
  private readonly offset: number

  constructor(private readonly measured: MeasuredImage[]) {
    this.offset = measured.length
  }

  /** The image of the target at `index`, listed from now on. */
  start(index: number, target: ImageTarget): MeasuredImage {
    const image: MeasuredImage = { target, base: null, head: null, failedBuilds: [] }
    this.started[index] = image
    this.measured.splice(this.offset, this.measured.length - this.offset, ...this.started.filter(Boolean))
    return image
  }
}

/** A side's result, written into its image: a measurement, or the failed build. */
export function recordSide(image: MeasuredImage, result: SideResult): void {
  if (result.measurement) image[result.side] = result.measurement
  else image.failedBuilds.push(result.outcome)
}
