/**
 * "Use as template" (paper §3.3, one prompt → many images), the part that needs no OHIF: which
 * images make up the set (the prompted slice first, then every image of the chosen display sets,
 * a multi-frame series frame by frame, in order, so a cine propagates like slices), the prompts
 * sent to the engine (the template's, then one per corrected image: each a conditioning image),
 * the results per image, and the masks of one display set for its SEG.
 */
import type { ImagePrompt } from '../engine/image-set';
import type { SlicePrompt } from '../engine/prompts/prompt';

/** One image of the set: where it is in OHIF (display set, image index) and what the panel calls it. */
export interface SetImageRef {
  readonly displaySetInstanceUID: string;
  /** The display set's image index (0-based; a multi-frame series: the frame). */
  readonly imageIndex: number;
  readonly name: string;
}

export interface TemplateImageResult {
  readonly confidence: number;
  readonly present: boolean;
  readonly prompted: boolean;
  /** Mask pixels (width × height of the image). */
  readonly area: number;
}

/** A display set's images as they go into the set. */
export interface SetSource {
  readonly displaySetInstanceUID: string;
  /** "US #100 cine": names each image ("… frame 3"). */
  readonly label: string;
  readonly count: number;
  /** A multi-frame instance: its images are frames ("frame n"), else images ("image n"). */
  readonly frames: boolean;
}

export class TemplateSet {
  /** Image 0 is the template (the prompted slice); then every image of the sources, in order. */
  readonly images: readonly SetImageRef[];
  private readonly corrections = new Map<number, SlicePrompt>();
  /** Each correction's image and its prompt before it, the last one last (Undo takes it back). */
  private readonly history: { readonly index: number; readonly before?: SlicePrompt }[] = [];
  private readonly results = new Map<number, TemplateImageResult>();
  private readonly masks = new Map<number, Uint8Array>();

  constructor(
    template: SetImageRef,
    private readonly templatePrompt: SlicePrompt,
    sources: readonly SetSource[],
  ) {
    const images: SetImageRef[] = [template];
    for (const s of sources)
      for (let i = 0; i < s.count; i++)
        images.push({
          displaySetInstanceUID: s.displaySetInstanceUID,
          imageIndex: i,
          name: `${s.label} ${s.frames ? 'frame' : 'image'} ${i + 1}`,
        });
    this.images = images;
  }

  /** The set's index of a display set's image, or -1. */
  indexOf(displaySetInstanceUID: string, imageIndex: number): number {
    return this.images.findIndex(
      (r, i) => i > 0 && r.displaySetInstanceUID === displaySetInstanceUID && r.imageIndex === imageIndex,
    );
  }

  /** The engine's prompts: the template's, then each corrected image's (ascending). */
  prompts(): ImagePrompt[] {
    const corrections = [...this.corrections].sort(([a], [b]) => a - b);
    return [
      { index: 0, prompt: this.templatePrompt },
      ...corrections.map(([index, prompt]) => ({ index, prompt })),
    ];
  }

  /**
   * A correction on image `index`: its clicks join the ones it has (a box replaces its box); the
   * image becomes a conditioning image of the next run. The template is corrected on its series.
   */
  correct(index: number, prompt: SlicePrompt): void {
    if (index <= 0 || index >= this.images.length)
      throw new Error(
        index === 0
          ? 'the template is corrected on its own series: click there, then Use as template again'
          : `image ${index} is not in the set (1..${this.images.length - 1})`,
      );
    const previous = this.corrections.get(index);
    const points = [...(previous?.points ?? []), ...(prompt.points ?? [])];
    const box = prompt.box ?? previous?.box;
    this.corrections.set(index, { ...(points.length ? { points } : {}), ...(box ? { box } : {}) });
    this.history.push({ index, ...(previous ? { before: previous } : {}) });
  }

  /**
   * Takes the last correction back: its image's prompt is what it was before it (none: the image
   * is no conditioning image any more). Answers the image's index, or undefined when none is left.
   */
  undoCorrection(): number | undefined {
    const last = this.history.pop();
    if (!last) return undefined;
    if (last.before) this.corrections.set(last.index, last.before);
    else this.corrections.delete(last.index);
    return last.index;
  }

  /** How many corrections Undo can take back. */
  get correctionSteps(): number {
    return this.history.length;
  }

  correction(index: number): SlicePrompt | undefined {
    return this.corrections.get(index);
  }

  record(index: number, result: TemplateImageResult, mask: Uint8Array): void {
    this.results.set(index, result);
    this.masks.set(index, mask);
  }

  result(index: number): TemplateImageResult | undefined {
    return this.results.get(index);
  }

  mask(index: number): Uint8Array | undefined {
    return this.masks.get(index);
  }

  /**
   * A display set's masks by its image index, for its SEG; the name of the first image without a
   * result when one is missing (a stopped run).
   */
  masksOf(displaySetInstanceUID: string): { masks: Map<number, Uint8Array> } | { missing: string } {
    const masks = new Map<number, Uint8Array>();
    for (const [i, r] of this.images.entries()) {
      if (i === 0 || r.displaySetInstanceUID !== displaySetInstanceUID) continue;
      const m = this.masks.get(i);
      if (!m) return { missing: r.name };
      masks.set(r.imageIndex, m);
    }
    return { masks };
  }
}

export const maskArea = (mask: Uint8Array): number => {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i] ? 1 : 0;
  return n;
};
