/** A one-line legend: colour swatch, label, optional latest value. */
import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

export interface LegendItem {
  label: string;
  color: string;
  value?: string;
}

export function ChartLegend({ items }: { items: Array<LegendItem | false | undefined> }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.legend} data-testid="cloudpulse-legend">
      {items
        .filter((item): item is LegendItem => Boolean(item))
        .map((item) => (
          <span key={item.label} className={styles.item}>
            <span className={styles.swatch} style={{ background: item.color }} />
            {item.label}
            {item.value !== undefined && <span className={styles.value}>{item.value}</span>}
          </span>
        ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  legend: css({
    display: 'flex',
    gap: theme.spacing(2),
    height: 24,
    alignItems: 'center',
    overflow: 'hidden',
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.primary,
    paddingLeft: theme.spacing(1),
  }),
  item: css({ display: 'inline-flex', alignItems: 'center', gap: theme.spacing(0.5), whiteSpace: 'nowrap' }),
  swatch: css({ width: 12, height: 4, borderRadius: 2, display: 'inline-block' }),
  value: css({ color: theme.colors.text.secondary }),
});
