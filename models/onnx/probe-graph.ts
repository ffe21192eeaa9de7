/** The probe graph the runtime uses to check that a backend really runs: y = x + 1 on a [1] tensor. */
import { GraphBuilder } from './graph-builder';

export function probeGraph(): Uint8Array {
  const g = new GraphBuilder('probe');
  const x = g.input('x', [1]);
  g.output('y', g.node('Add', [x, g.scalar(1)]), [1]);
  return g.toBytes('medsam2-ohif probe');
}
