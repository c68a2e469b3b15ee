// Renders a confusion matrix as a self-contained HTML page or a PNG heat map a person can look at.
import type { RawImage } from '@facerec/core';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** An HTML table: rows are true people, columns predicted; cells shaded by the row's share. */
export function confusionHtml(confusion: readonly (readonly number[])[], labels: readonly string[], title: string, accuracy: number): string {
  const header = labels.map((l) => `<th class="col"><span>${escapeHtml(l)}</span></th>`).join('');
  const rows = confusion
    .map((row, i) => {
      const total = row.reduce((a, b) => a + b, 0) || 1;
      const cells = row
        .map((count, j) => {
          const share = count / total;
          const hue = i === j ? 140 : 0;
          const style = count > 0 ? ` style="background:hsla(${hue},70%,45%,${(0.15 + 0.85 * share).toFixed(2)})"` : '';
          return `<td${style} title="${escapeHtml(labels[i]!)} → ${escapeHtml(labels[j]!)}: ${count}">${count || ''}</td>`;
        })
        .join('');
      return `<tr><th class="row">${escapeHtml(labels[i]!)}</th>${cells}</tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:13px system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ddd;min-width:22px;height:22px;text-align:center;padding:0 3px}
th.col{height:90px;vertical-align:bottom}th.col span{writing-mode:vertical-rl;transform:rotate(180deg)}
th.row{text-align:right;padding-right:6px}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p>Accuracy ${(accuracy * 100).toFixed(2)}%. Rows: true person; columns: predicted. Green: correct; red: confusions.</p>
<table><tr><th></th>${header}</tr>
${rows}
</table></body></html>
`;
}

/** A PNG-ready heat map: one `cell`×`cell` square per entry, green diagonal, red off-diagonal, white grid. */
export function confusionImage(confusion: readonly (readonly number[])[], cell = 12): RawImage {
  const n = confusion.length;
  const size = n * cell + 1;
  const data = new Uint8Array(size * size * 3).fill(255);
  for (let i = 0; i < n; i++) {
    const total = confusion[i]!.reduce((a, b) => a + b, 0) || 1;
    for (let j = 0; j < n; j++) {
      const share = confusion[i]![j]! / total;
      const shade = Math.round(255 * (1 - share));
      const [r, g, b] = confusion[i]![j]! === 0 ? [245, 245, 245] : i === j ? [shade, 200, shade] : [230, shade, shade];
      for (let y = i * cell + 1; y < (i + 1) * cell; y++) {
        for (let x = j * cell + 1; x < (j + 1) * cell; x++) {
          const p = (y * size + x) * 3;
          data[p] = r!;
          data[p + 1] = g!;
          data[p + 2] = b!;
        }
      }
    }
  }
  return { data, width: size, height: size, channels: 3 };
}
