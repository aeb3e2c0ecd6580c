import { DownloadOutlined, FileSearchOutlined, SearchOutlined } from '@ant-design/icons';
import { Button, Card, Col, DatePicker, Empty, Flex, Input, List, Row, Select, Space, Tag, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import dayjs from 'dayjs';
import { DATE_FORMAT } from '../../i18n/dates';
import { useI18n, type Translate } from '../../i18n/I18nProvider';
import { codeLabel, statePrefixes } from '../../i18n/labels';
import { FormError } from '../admin/FormError';
import { emptyForm, searchApi, type FacetKey, type SearchForm, type SearchHit, type SearchResult } from './api';
import { Highlighted } from './Highlighted';

const FACETS: FacetKey[] = ['category', 'kind', 'year', 'unit', 'state'];

/** A facet value in the reader's language: codes through the dictionaries, units by the server's name. */
function facetLabel(t: Translate, k: FacetKey, value: string, serverLabel?: string): string {
  if (k === 'kind') return codeLabel(t, value, ['pool.kind'], serverLabel);
  if (k === 'category') return codeLabel(t, value, ['volumes.category'], serverLabel);
  if (k === 'state') return codeLabel(t, value, statePrefixes(), serverLabel);
  return serverLabel ?? value;
}

/** 档案检索: full text and fields across fonds and categories, facets, refine within results, Excel export. */
export default function SearchPage() {
  const { t } = useI18n();
  const [form, setForm] = useState<SearchForm>(emptyForm);
  const [text, setText] = useState('');
  const [result, setResult] = useState<SearchResult>();
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>();
  const ctrl = useRef<AbortController | undefined>(undefined);

  const run = async (f: SearchForm, cursor?: string) => {
    ctrl.current?.abort();
    const c = (ctrl.current = new AbortController());
    setLoading(true);
    try {
      const r = await searchApi.search(f, cursor, c.signal);
      setError(undefined);
      setHits((prev) => (cursor ? [...prev, ...r.hits] : r.hits));
      setResult((prev) => (cursor && prev ? { ...r, facets: prev.facets, total: prev.total } : r));
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setError(e);
    } finally {
      if (!c.signal.aborted) setLoading(false);
    }
  };

  useEffect(() => {
    void run(form);
    return () => ctrl.current?.abort();
  }, [form]);

  const update = (patch: Partial<SearchForm>) => setForm((f) => ({ ...f, ...patch }));
  const search = () => update({ q: text });
  /** 在结果中检索: the current query becomes a refine step, the new text narrows it. */
  const refine = () => {
    if (!text.trim() || text.trim() === form.q.trim()) return;
    setForm((f) => ({ ...f, refine: f.q.trim() ? [...f.refine, f.q.trim()] : f.refine, q: text }));
  };
  const toggle = (k: FacetKey, v: string) =>
    setForm((f) => ({ ...f, [k]: f[k].includes(v) ? f[k].filter((x) => x !== v) : [...f[k], v] }));

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card title={t('search.title')}>
        <Space.Compact style={{ width: '100%' }}>
          <Input
            size="large"
            allowClear
            value={text}
            placeholder={t('search.placeholder')}
            onChange={(e) => setText(e.target.value)}
            onPressEnter={search}
            data-testid="search-input"
          />
          <Button size="large" type="primary" icon={<SearchOutlined />} onClick={search} data-testid="search-submit">
            {t('search.submit')}
          </Button>
          <Button size="large" icon={<FileSearchOutlined />} onClick={refine} disabled={!result?.total} data-testid="search-refine">
            {t('search.refine')}
          </Button>
        </Space.Compact>
        {(form.refine.length > 0 || form.q) && (
          <Flex gap={4} wrap style={{ marginTop: 8 }}>
            {form.refine.map((r, i) => (
              <Tag key={`${r}-${i}`} closable onClose={() => update({ refine: form.refine.filter((_, j) => j !== i) })}>
                {r}
              </Tag>
            ))}
            {form.q && <Tag color="blue">{form.q}</Tag>}
          </Flex>
        )}
        <Flex gap={8} wrap style={{ marginTop: 12 }}>
          <DatePicker style={{ width: 170 }} format={DATE_FORMAT} value={form.from ? dayjs(form.from) : null} onChange={(d) => update({ from: d ? d.format(DATE_FORMAT) : undefined })} prefix={t('search.from')} placeholder={DATE_FORMAT} data-testid="search-from" />
          <DatePicker style={{ width: 170 }} format={DATE_FORMAT} value={form.to ? dayjs(form.to) : null} onChange={(d) => update({ to: d ? d.format(DATE_FORMAT) : undefined })} prefix={t('search.to')} placeholder={DATE_FORMAT} data-testid="search-to" />
          <Input style={{ width: 200 }} placeholder={t('search.amountMin')} defaultValue={form.amountMin} onBlur={(e) => update({ amountMin: e.target.value || undefined })} />
          <Input style={{ width: 200 }} placeholder={t('search.amountMax')} defaultValue={form.amountMax} onBlur={(e) => update({ amountMax: e.target.value || undefined })} />
          <Input style={{ width: 240 }} placeholder={t('search.number')} defaultValue={form.number} onBlur={(e) => update({ number: e.target.value || undefined })} />
          <Select
            style={{ width: 180 }}
            value={`${form.sort}:${form.order}`}
            onChange={(v) => {
              const [sort, order] = v.split(':') as [SearchForm['sort'], SearchForm['order']];
              update({ sort, order });
            }}
            options={[
              { value: 'relevance:desc', label: t('search.sort.relevance') },
              { value: 'date:desc', label: t('search.sort.dateDesc') },
              { value: 'date:asc', label: t('search.sort.dateAsc') },
              { value: 'amount:desc', label: t('search.sort.amountDesc') },
              { value: 'amount:asc', label: t('search.sort.amountAsc') },
            ]}
          />
          <Button icon={<DownloadOutlined />} href={searchApi.exportUrl(form)} disabled={!result?.total} data-testid="search-export">
            {t('search.export')}
          </Button>
          <Button onClick={() => { setText(''); setForm(emptyForm); }}>{t('search.clear')}</Button>
        </Flex>
      </Card>
      <FormError error={error} />
      <Row gutter={16}>
        <Col xs={24} md={6}>
          {FACETS.map((k) => (
            <Card key={k} size="small" title={t(`search.facet.${k}`)} style={{ marginBottom: 12 }}>
              {(result?.facets?.[k] ?? []).slice(0, 12).map((b) => (
                <Flex key={b.value} justify="space-between" style={{ cursor: 'pointer' }} onClick={() => toggle(k, b.value)} data-testid={`facet-${k}`}>
                  <Typography.Text strong={form[k].includes(b.value)} ellipsis style={{ maxWidth: '80%' }}>
                    {facetLabel(t, k, b.value, b.label)}
                  </Typography.Text>
                  <Typography.Text type="secondary">{b.count}</Typography.Text>
                </Flex>
              ))}
              {!result?.facets?.[k]?.length && <Typography.Text type="secondary">—</Typography.Text>}
            </Card>
          ))}
        </Col>
        <Col xs={24} md={18}>
          <Card size="small" title={result ? t('search.total', { count: result.totalRelation === 'gte' ? `${result.total.toLocaleString()}+` : result.total }) : t('app.loading')}>
            <List
              loading={loading && !hits.length}
              dataSource={hits}
              locale={{ emptyText: <Empty description={t('search.none')} /> }}
              data-testid="search-hits"
              renderItem={(h) => {
                const hl = (f: string) => h.highlights.find((x) => x.field === f)?.fragment;
                return (
                  <List.Item
                    key={h.id}
                    actions={
                      h.docType === 'voucher'
                        ? [<Link key="open" to={`/pool/vouchers/${h.sourceId}`}>{t('search.open')}</Link>]
                        : h.docType === 'volume'
                          ? [<Link key="open" to={`/volumes/${h.sourceId}`}>{t('search.openVolume')}</Link>]
                          : []
                    }
                  >
                    <List.Item.Meta
                      title={
                        <Space wrap>
                          <span>{hl('title') ? <Highlighted fragment={hl('title')!} /> : h.title}</span>
                          <Tag color="blue">{codeLabel(t, h.docType, ['search.docType'])}</Tag>
                          {h.kind && <Tag>{codeLabel(t, h.kind, ['pool.kind'])}</Tag>}
                          <Tag color={h.state === 'archived' ? 'green' : 'default'}>{codeLabel(t, h.state, statePrefixes(h.docType))}</Tag>
                        </Space>
                      }
                      description={
                        <Space orientation="vertical" size={0}>
                          <Space wrap size="large">
                            {h.archivalCode && <span>{t('search.archivalCode')}: {hl('archivalCode') ? <Highlighted fragment={hl('archivalCode')!} /> : h.archivalCode}</span>}
                            {h.invoiceNumber && <span>{t('search.number')}: {hl('number') ? <Highlighted fragment={hl('number')!} /> : h.invoiceNumber}</span>}
                            {h.date && <span>{h.date}</span>}
                            {h.amount && <span>¥{h.amount}</span>}
                          </Space>
                          {h.parties.length > 0 && <span>{hl('parties') ? <Highlighted fragment={hl('parties')!} /> : h.parties.join('；')}</span>}
                          {hl('body') && <Typography.Text type="secondary"><Highlighted fragment={hl('body')!} /></Typography.Text>}
                        </Space>
                      }
                    />
                  </List.Item>
                );
              }}
            />
            {result?.nextCursor && (
              <Flex justify="center" style={{ marginTop: 12 }}>
                <Button loading={loading} onClick={() => run(form, result.nextCursor!)}>
                  {t('search.more')}
                </Button>
              </Flex>
            )}
          </Card>
        </Col>
      </Row>
    </Space>
  );
}
