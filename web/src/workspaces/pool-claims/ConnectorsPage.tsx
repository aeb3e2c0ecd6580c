import { PlayCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Radio, Space, Switch, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n } from '../../i18n/I18nProvider';
import { codeLabel } from '../../i18n/labels';
import { FormError } from '../admin/FormError';
import { connectorsApi, type Connector, type RunSummary, type RunView } from './api';

const MASK = '********';

/**
 * 银行接口 settings of the current unit (unit admins): SFTP host, credentials (stored encrypted, shown masked),
 * APPID and 协议号, folder, pattern, schedule; "run now" pulls at once and shows what came in.
 */
export default function ConnectorsPage() {
  const { t } = useI18n();
  const { currentUnit } = useAuth();
  const [items, setItems] = useState<Connector[]>();
  const [error, setError] = useState<unknown>();
  const [editing, setEditing] = useState<Connector | 'new' | null>(null);
  const [formError, setFormError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [running, setRunning] = useState<string | null>(null);
  const [result, setResult] = useState<{ name: string; run: RunSummary } | null>(null);
  const [form] = Form.useForm();
  const authMethod = Form.useWatch('authMethod', form) as 'password' | 'key' | undefined;

  const load = useCallback(
    (signal?: AbortSignal) =>
      connectorsApi.list(currentUnit?.id, signal).then(
        (r) => setItems(r.items),
        (e) => (e as Error).name !== 'AbortError' && setError(e),
      ),
    [currentUnit?.id],
  );
  useEffect(() => {
    const ctrl = new AbortController();
    void load(ctrl.signal);
    return () => ctrl.abort();
  }, [load]);

  const edit = (c: Connector | 'new') => {
    setFormError(undefined);
    form.resetFields();
    form.setFieldsValue(c === 'new' ? { port: 22, authMethod: 'password', filePattern: '*.ofd,*.xml,*.pdf', enabled: true } : { ...c });
    setEditing(c);
  };

  const save = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setFormError(undefined);
    try {
      const body: Record<string, unknown> = { ...v, scheduleCron: v.scheduleCron || null, appId: v.appId || null, agreementNo: v.agreementNo || null, hostKeySha256: v.hostKeySha256 || null };
      // An untouched mask keeps the stored secret; an empty field means "unchanged" when editing.
      for (const k of ['password', 'privateKey', 'passphrase']) if (!body[k]) delete body[k];
      if (editing === 'new') await connectorsApi.create({ ...body, unitId: currentUnit?.id });
      else if (editing) await connectorsApi.update(editing.id, body);
      setEditing(null);
      await load();
    } catch (e) {
      setFormError(e);
    } finally {
      setBusy(false);
    }
  };

  const runNow = async (c: Connector) => {
    setRunning(c.id);
    try {
      setResult({ name: c.name, run: await connectorsApi.run(c.id) });
    } catch (e) {
      setError(e);
    } finally {
      setRunning(null);
      void load();
    }
  };

  return (
    <Card
      title={t('poolb.connectors.title')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => edit('new')} disabled={!currentUnit} data-testid="connector-add">
          {t('poolb.connectors.add')}
        </Button>
      }
    >
      {error ? <FormError error={error} /> : null}
      {result && (
        <Alert
          style={{ marginBottom: 16 }}
          type={result.run.status === 'ok' ? 'success' : 'error'}
          closable
          onClose={() => setResult(null)}
          title={t('poolb.connectors.result', { name: result.name, listed: result.run.listed, fetched: result.run.fetched, skipped: result.run.skipped, failed: result.run.failed })}
          description={
            <>
              {result.run.error && <div>{result.run.error}</div>}
              {result.run.files.map((f) => (
                <div key={f.remotePath}>
                  <Tag>{codeLabel(t, f.outcome, ['poolb.connectors.outcome', 'pool.outcome'])}</Tag> {f.remotePath}
                </div>
              ))}
            </>
          }
          data-testid="connector-result"
        />
      )}
      <Table<Connector>
        rowKey="id"
        size="small"
        loading={!items && !error}
        dataSource={items ?? []}
        pagination={false}
        columns={[
          { title: t('poolb.connectors.name'), dataIndex: 'name' },
          { title: t('poolb.connectors.server'), render: (_, c) => `sftp://${c.username}@${c.host}:${c.port}${c.remoteDir}` },
          { title: t('poolb.connectors.pattern'), dataIndex: 'filePattern' },
          { title: t('poolb.connectors.schedule'), render: (_, c) => (c.scheduleCron ? <Typography.Text code>{c.scheduleCron}</Typography.Text> : t('poolb.connectors.manual')) },
          { title: t('poolb.connectors.enabled'), render: (_, c) => (c.enabled ? <Tag color="green">✓</Tag> : <Tag>—</Tag>) },
          { title: t('poolb.connectors.lastRun'), render: (_, c) => <LastRun r={c.lastRun} /> },
          {
            title: '',
            render: (_, c) => (
              <Space>
                <Button size="small" icon={<PlayCircleOutlined />} loading={running === c.id} onClick={() => runNow(c)} data-testid="connector-run">
                  {t('poolb.connectors.runNow')}
                </Button>
                <Button size="small" onClick={() => edit(c)}>
                  {t('poolb.connectors.edit')}
                </Button>
                <Popconfirm title={t('poolb.connectors.deleteConfirm')} onConfirm={() => connectorsApi.remove(c.id).then(() => load(), setError)}>
                  <Button size="small" danger>
                    {t('poolb.connectors.delete')}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <Modal open={editing !== null} title={editing === 'new' ? t('poolb.connectors.add') : t('poolb.connectors.edit')} onOk={save} confirmLoading={busy} onCancel={() => setEditing(null)} width={640} destroyOnHidden>
        {formError ? <FormError error={formError} /> : null}
        <Form form={form} layout="vertical">
          <Form.Item name="name" label={t('poolb.connectors.name')} rules={[{ required: true }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Space wrap>
            <Form.Item name="host" label={t('poolb.connectors.host')} rules={[{ required: true }]}>
              <Input style={{ width: 260 }} />
            </Form.Item>
            <Form.Item name="port" label={t('poolb.connectors.port')} rules={[{ required: true }]}>
              <InputNumber min={1} max={65535} />
            </Form.Item>
            <Form.Item name="appId" label="APPID">
              <Input style={{ width: 160 }} />
            </Form.Item>
            <Form.Item name="agreementNo" label={t('poolb.connectors.agreementNo')}>
              <Input style={{ width: 160 }} />
            </Form.Item>
          </Space>
          <Space wrap>
            <Form.Item name="username" label={t('poolb.connectors.username')} rules={[{ required: true }]}>
              <Input style={{ width: 200 }} />
            </Form.Item>
            <Form.Item name="authMethod" label={t('poolb.connectors.auth')}>
              <Radio.Group options={[{ value: 'password', label: t('poolb.connectors.authPassword') }, { value: 'key', label: t('poolb.connectors.authKey') }]} />
            </Form.Item>
          </Space>
          {authMethod === 'key' ? (
            <>
              <Form.Item name="privateKey" label={t('poolb.connectors.privateKey')} extra={editing !== 'new' ? t('poolb.connectors.secretKept') : undefined} rules={[{ required: editing === 'new' }]}>
                <Input.TextArea rows={4} placeholder={editing !== 'new' ? MASK : '-----BEGIN OPENSSH PRIVATE KEY-----'} />
              </Form.Item>
              <Form.Item name="passphrase" label={t('poolb.connectors.passphrase')}>
                <Input.Password autoComplete="new-password" />
              </Form.Item>
            </>
          ) : (
            <Form.Item name="password" label={t('poolb.connectors.password')} extra={editing !== 'new' ? t('poolb.connectors.secretKept') : undefined} rules={[{ required: editing === 'new' }]}>
              <Input.Password autoComplete="new-password" placeholder={editing !== 'new' ? MASK : ''} />
            </Form.Item>
          )}
          <Form.Item name="hostKeySha256" label={t('poolb.connectors.hostKey')}>
            <Input placeholder="SHA256:…" />
          </Form.Item>
          <Space wrap>
            <Form.Item name="remoteDir" label={t('poolb.connectors.remoteDir')} rules={[{ required: true }]}>
              <Input style={{ width: 260 }} placeholder="/outbox" />
            </Form.Item>
            <Form.Item name="filePattern" label={t('poolb.connectors.pattern')}>
              <Input style={{ width: 200 }} />
            </Form.Item>
            <Form.Item name="scheduleCron" label={t('poolb.connectors.schedule')} extra={t('poolb.connectors.cronHint')}>
              <Input style={{ width: 140 }} placeholder="0 7 * * *" />
            </Form.Item>
          </Space>
          <Form.Item name="enabled" label={t('poolb.connectors.enabled')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}

function LastRun({ r }: { r: RunView | null }) {
  const { t } = useI18n();
  if (!r) return <Typography.Text type="secondary">{t('poolb.connectors.never')}</Typography.Text>;
  return (
    <Space orientation="vertical" size={0}>
      <span>
        <Tag color={r.status === 'ok' ? 'green' : r.status === 'failed' ? 'red' : 'blue'} data-testid="connector-run-status">{codeLabel(t, r.status, ['poolb.connectors.status'])}</Tag>
        {new Date(r.startedAt).toLocaleString()}
      </span>
      <Typography.Text type="secondary">{t('poolb.connectors.counts', { fetched: r.fetched, skipped: r.skipped, failed: r.failed })}</Typography.Text>
      {r.error && <Typography.Text type="danger">{r.error}</Typography.Text>}
    </Space>
  );
}
