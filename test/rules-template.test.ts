/**
 * Annotation templates as Prometheus renders them. What Prometheus refuses to parse is checked
 * against `promtool check rules` itself (the message is Prometheus's); what renders is checked here
 * on plain values, and against Prometheus's rule manager in rules-oracle.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFloat, goFloat, goSprintf } from '../lambda/alert/rules/gofmt.js';
import { compileTemplate, type TemplateData } from '../lambda/alert/rules/index.js';
import { promtool, writeYaml } from './helpers/rules-oracle.js';

const data: TemplateData = { labels: { tenant: 'acme', namespace: 'tenants', count: '12' }, value: 0.23456 };
const render = (text: string, d: TemplateData = data) => compileTemplate('TenantDegraded', text).render(d);

describe('templates Prometheus cannot parse', () => {
  const broken: Record<string, string> = {
    UndefinedVariable: '{{ $foo }}',
    UnclosedAction: '{{ $value ',
    StrayEnd: 'x {{ end }}',
    UnterminatedString: '{{ "abc }}',
    StrayElse: '{{ else }}',
    UnknownFunctionOnLine2: 'line1\n{{ printf "%.1f" (mul $value 100) }}',
    UnclosedIf: '{{ if $value }}x',
    UnclosedParen: '{{ ( $value }}',
    EmptyAction: '{{ }}',
    LeadingPipe: '{{ | $value }}',
  };

  it('fail with the message promtool gives, line included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-template-'));
    const file = writeYaml(dir, 'broken.yaml', {
      groups: [
        {
          name: 'templates',
          rules: Object.entries(broken).map(([name, text]) => ({
            alert: name,
            expr: 'up',
            annotations: { a: text },
          })),
        },
      ],
    });
    const { code, output } = await promtool(['check', 'rules', file]);
    expect(code).not.toBe(0);
    for (const [name, text] of Object.entries(broken)) {
      const { parseError } = compileTemplate(name, text);
      expect(parseError, name).toBeDefined();
      expect(output, name).toContain(`"${name}": annotation "a": ${parseError}\n`);
    }
  });

  it("render as Prometheus's error text, so an alert still carries its other annotations", () => {
    const { text, error } = render('{{ printf "%.1f" (mul $value 100) }}% errors');
    expect(error).toBe(
      'error parsing template __alert_TenantDegraded: template: __alert_TenantDegraded:1: function "mul" not defined',
    );
    expect(text).toBe(`<error expanding template: ${error}>`);
  });

  it('refuse range and define, which the checker does not run, in words that say so', () => {
    expect(compileTemplate('X', '{{ range $labels }}{{ . }}{{ end }}').parseError).toBe(
      "template: __alert_X:1: {{range}} is not supported by the checker's templates",
    );
    expect(render('{{ query "up" | first | value }}').error).toContain(
      'function "query" is not supported by the checker: it runs no query from a template',
    );
  });
});

describe('what the operator rules use', () => {
  it('$labels and $value, as the shipped summaries read', () => {
    expect(
      render('Tenant {{ $labels.tenant }} in namespace {{ $labels.namespace }} has {{ $value }} failed').text,
    ).toBe('Tenant acme in namespace tenants has 0.23456 failed');
    expect(render('{{ printf "%.2f" $value }} conflicts/sec').text).toBe('0.23 conflicts/sec');
    expect(render('{{ printf "%.0f" $value }} new').text).toBe('0 new');
    expect(render('{{ printf "%.1f" $value }}s', { ...data, value: 58.25 }).text).toBe('58.2s');
  });

  it('a label the alert lacks renders empty (missingkey=zero), as TenantResourcesMismatch shows', () => {
    expect(render('has {{ $labels.tenant_resources_ready }} ready').text).toBe('has  ready');
  });

  it('$value is Go’s %v of a float64: shortest digits, exponents from 1e+21 and 1e-05', () => {
    const cases: [number, string][] = [
      [1, '1'],
      [0.1 + 0.2, '0.30000000000000004'],
      [1234567, '1.234567e+06'],
      [100000, '100000'],
      [1e21, '1e+21'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, '+Inf'],
      [-0, '-0'],
    ];
    for (const [value, text] of cases)
      expect(render('{{ $value }}', { ...data, value }).text, String(value)).toBe(text);
  });
});

describe("Go's fmt", () => {
  it('rounds halves to even on the exact binary value, unlike toFixed', () => {
    expect(goSprintf('%.2f %.2f %.2f %.0f %.0f', [0.125, 0.375, 2.675, 0.5, 1.5].map(goFloat))).toBe(
      '0.12 0.38 2.67 0 2',
    );
    expect((0.125).toFixed(2)).toBe('0.13');
  });

  it('%g and %e as strconv writes them', () => {
    expect(formatFloat(1234.5, 'g', 4)).toBe('1234');
    expect(formatFloat(12345.6, 'g', 4)).toBe('1.235e+04');
    expect(formatFloat(0.00012345, 'g', 4)).toBe('0.0001234');
    expect(formatFloat(123456, 'e', 6)).toBe('1.234560e+05');
    expect(formatFloat(0, 'e', 2)).toBe('0.00e+00');
  });

  it('flags, width, and what a wrong verb or a missing argument prints', () => {
    expect(
      goSprintf('%08.3f|%-6s|%+d|%5.1f%%|%q', [
        goFloat(-3.14258),
        { kind: 'string', value: 'ab' },
        { kind: 'int', value: 5 },
        goFloat(2.25),
        { kind: 'string', value: 'a"b' },
      ]),
    ).toBe('-003.143|ab    |+5|  2.2%|"a\\"b"');
    expect(goSprintf('%d %s', [goFloat(1.5)])).toBe('%!d(float64=1.5) %!s(MISSING)');
    expect(goSprintf('%s', [{ kind: 'string', value: 'a' }, goFloat(2)])).toBe('a%!(EXTRA float64=2)');
  });
});

describe("Prometheus's functions", () => {
  it('humanize and friends', () => {
    const cases: [string, number, string][] = [
      ['humanize', 1234567, '1.235M'],
      ['humanize', 0.000123, '123u'],
      ['humanize', 0, '0'],
      ['humanize1024', 1234567, '1.177Mi'],
      ['humanizeDuration', 3661, '1h 1m 1s'],
      ['humanizeDuration', 2 * 86_400 + 3723.5, '2d 1h 2m 3s'],
      ['humanizeDuration', 0.25, '250ms'],
      ['humanizeDuration', 42.123, '42.12s'],
      ['humanizePercentage', 0.23456, '23.46%'],
      ['humanizeTimestamp', 1.5, '1970-01-01 00:00:01.5 +0000 UTC'],
    ];
    for (const [fn, value, text] of cases) {
      expect(render(`{{ ${fn} $value }}`, { ...data, value }).text, `${fn} ${value}`).toBe(text);
      expect(render(`{{ $value | ${fn} }}`, { ...data, value }).text, `${fn} ${value} piped`).toBe(text);
    }
    expect(render('{{ humanize $labels.count }}').text).toBe('12');
  });

  it('if / else if / else, with, trim markers and variables', () => {
    const t = '{{ if gt $value 0.5 }}high{{ else if gt $value 0.2 }}medium{{ else }}low{{ end }}';
    expect(render(t).text).toBe('medium');
    expect(render(t, { ...data, value: 0.9 }).text).toBe('high');
    expect(render('{{ with $labels.tenant }}tenant={{ . }}{{ end }}').text).toBe('tenant=acme');
    expect(render('a  {{- " b " -}}  c').text).toBe('a b c');
    expect(render('{{ $x := humanize $value }}[{{ $x }}]').text).toBe('[234.6m]');
    expect(
      render(
        '{{ toUpper $labels.tenant }} {{ title "hello world" }} {{ reReplaceAll "(a)(c)" "$2$1" "acme" }}',
      ).text,
    ).toBe('ACME Hello World came');
  });

  it('an error while running names the command, as Prometheus does', () => {
    expect(render('{{ gt $value 1 }}').text).toBe(
      '<error expanding template: error executing template __alert_TenantDegraded: template: __alert_TenantDegraded:1:115: executing "__alert_TenantDegraded" at <gt $value 1>: error calling gt: incompatible types for comparison>',
    );
  });
});
