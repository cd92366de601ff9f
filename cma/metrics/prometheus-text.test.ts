import { counterFamily, escapeLabelValue, formatMetrics } from './prometheus-text';

describe('Prometheus text format', () => {
  test('a family is HELP, TYPE and one line per sample, labels escaped', () => {
    const text = formatMetrics([
      { name: 'unimatrix_hosts', help: 'hosts by status', type: 'gauge', samples: [{ labels: { status: 'up' }, value: 3 }, { labels: { status: 'down' }, value: 0 }] },
      { name: 'unimatrix_alert_firing', help: 'one per firing alert', type: 'gauge', samples: [{ labels: { host: 'we"ird\\name\nx' }, value: 1 }] },
    ]);
    expect(text.split('\n')).toEqual([
      '# HELP unimatrix_hosts hosts by status',
      '# TYPE unimatrix_hosts gauge',
      'unimatrix_hosts{status="up"} 3',
      'unimatrix_hosts{status="down"} 0',
      '# HELP unimatrix_alert_firing one per firing alert',
      '# TYPE unimatrix_alert_firing gauge',
      'unimatrix_alert_firing{host="we\\"ird\\\\name\\nx"} 1',
      '',
    ]);
  });

  test('special values and unlabelled samples', () => {
    expect(formatMetrics([{ name: 'x', help: 'h', type: 'gauge', samples: [{ value: NaN }, { value: Infinity }, { value: -Infinity }, { value: 0.5 }] }])).toBe(
      '# HELP x h\n# TYPE x gauge\nx NaN\nx +Inf\nx -Inf\nx 0.5\n',
    );
  });

  test('bad names and repeated families are refused', () => {
    expect(() => formatMetrics([{ name: '1bad', help: 'h', type: 'gauge', samples: [] }])).toThrow(/bad metric name/);
    expect(() => formatMetrics([{ name: 'ok', help: 'h', type: 'gauge', samples: [{ labels: { 'a-b': 'x' }, value: 1 }] }])).toThrow(/bad label name/);
    const f = { name: 'twice', help: 'h', type: 'gauge' as const, samples: [] };
    expect(() => formatMetrics([f, f])).toThrow(/given twice/);
  });

  test('a counter record becomes one family keyed by a label, in a stable order', () => {
    const family = counterFamily('unimatrix_membership_events_total', 'events', 'event', { b: 2, a: 1 });
    expect(family.samples).toEqual([
      { labels: { event: 'a' }, value: 1 },
      { labels: { event: 'b' }, value: 2 },
    ]);
    expect(escapeLabelValue('plain')).toBe('plain');
  });
});
