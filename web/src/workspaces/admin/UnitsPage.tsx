import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Select, Space, Table } from 'antd';
import { useState } from 'react';
import { useApi } from '../../api/useApi';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n } from '../../i18n/I18nProvider';
import { adminApi, type Unit } from './api';
import { FormError } from './FormError';

/** 单位管理: the budget units. Unit administrators see theirs; only system administrators create units. */
export default function UnitsPage() {
  const { t } = useI18n();
  const { effectiveRoles, refresh } = useAuth();
  const [q, setQ] = useState('');
  const [creating, setCreating] = useState(false);
  const units = useApi((signal) => adminApi.units(q, signal), [q]);
  const items = units.data?.items ?? [];
  const byId = new Map(items.map((u) => [u.id, u]));
  const canCreate = effectiveRoles.has('system_admin');

  return (
    <Card
      title={t('admin.units.title')}
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={units.reload}>
            {t('common.refresh')}
          </Button>
          {canCreate && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="unit-create">
              {t('admin.units.create')}
            </Button>
          )}
        </Space>
      }
    >
      <Input.Search allowClear placeholder={t('admin.units.search')} onSearch={setQ} style={{ width: 300, marginBottom: 16 }} />
      <FormError error={units.error} />
      <Table<Unit>
        data-testid="units-table"
        rowKey="id"
        size="middle"
        loading={units.loading}
        dataSource={items}
        pagination={{ pageSize: 50, showTotal: (n) => t('common.total', { count: n }) }}
        columns={[
          { title: t('admin.units.code'), dataIndex: 'code', width: 140 },
          { title: t('admin.units.name'), dataIndex: 'name' },
          { title: t('admin.units.creditCode'), dataIndex: 'creditCode', width: 220, render: (v: string | null) => v ?? '—' },
          {
            title: t('admin.units.parent'),
            dataIndex: 'parentId',
            width: 240,
            render: (id: string | null) => (id ? (byId.get(id)?.name ?? id) : '—'),
          },
        ]}
      />
      {creating && (
        <CreateUnitModal
          units={items}
          onClose={(created) => {
            setCreating(false);
            if (created) {
              units.reload();
              // A system administrator works in every unit: the new one belongs in their unit switcher too.
              void refresh().catch(() => undefined);
            }
          }}
        />
      )}
    </Card>
  );
}

function CreateUnitModal({ units, onClose }: { units: Unit[]; onClose(created: boolean): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ code: string; name: string; creditCode?: string; parentId?: string }>();
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    setError(undefined);
    try {
      const u = await adminApi.createUnit({
        code: v.code.trim(),
        name: v.name.trim(),
        creditCode: v.creditCode?.trim() || undefined,
        parentId: v.parentId || undefined,
      });
      message.success(t('admin.units.created', { name: u.name }));
      onClose(true);
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal open title={t('admin.units.create')} onOk={submit} okText={t('common.save')} cancelText={t('common.cancel')} confirmLoading={saving} onCancel={() => onClose(false)} destroyOnHidden>
      <FormError error={error} />
      <Form form={form} layout="vertical">
        <Form.Item name="code" label={t('admin.units.code')} extra={t('admin.units.codeHint')} rules={[{ required: true, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, max: 32, message: t('admin.units.codeHint') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="name" label={t('admin.units.name')} rules={[{ required: true, whitespace: true, max: 200, message: t('admin.units.nameRequired') }]}>
          <Input />
        </Form.Item>
        <Form.Item name="creditCode" label={t('admin.units.creditCode')} extra={t('admin.units.creditCodeHint')}>
          <Input maxLength={18} style={{ textTransform: 'uppercase' }} />
        </Form.Item>
        <Form.Item name="parentId" label={t('admin.units.parent')}>
          <Select allowClear options={units.map((u) => ({ value: u.id, label: `${u.name}（${u.code}）` }))} showSearch={{ optionFilterProp: 'label' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
