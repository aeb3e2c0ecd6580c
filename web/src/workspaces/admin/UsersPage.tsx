import { KeyOutlined, MinusCircleOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { ROLES, type Role } from '../../api/types';
import { useApi } from '../../api/useApi';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n } from '../../i18n/I18nProvider';
import { adminApi, type AdminUser, type NewUser, type Unit } from './api';
import { FormError } from './FormError';

/** Roles the server lets a grant hold for every unit (roles.ts ALL_UNIT_ROLES); all others need a unit. */
const ALL_UNIT_ROLES: Role[] = ['system_admin', 'auditor'];

/** 用户管理: system administrators see everyone; unit administrators the users of their units. */
export default function UsersPage() {
  const { t } = useI18n();
  const { effectiveRoles } = useAuth();
  const [q, setQ] = useState('');
  const [unitId, setUnitId] = useState<string>();
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<AdminUser>();
  const users = useApi((signal) => adminApi.users({ q, unitId }, signal), [q, unitId]);
  const units = useApi((signal) => adminApi.units(undefined, signal), []);
  const unitList = units.data?.items ?? [];

  return (
    <Card
      title={t('admin.users.title')}
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={users.reload}>
            {t('common.refresh')}
          </Button>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="user-create">
            {t('admin.users.create')}
          </Button>
        </Space>
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search allowClear placeholder={t('admin.users.search')} onSearch={setQ} style={{ width: 260 }} />
        <Select
          allowClear
          placeholder={t('admin.users.unitFilter')}
          value={unitId}
          onChange={setUnitId}
          style={{ width: 260 }}
          options={unitList.map((u) => ({ value: u.id, label: `${u.name}（${u.code}）` }))}
          showSearch={{ optionFilterProp: 'label' }}
        />
      </Space>
      <FormError error={users.error} />
      <Table<AdminUser>
        data-testid="users-table"
        rowKey="id"
        size="middle"
        loading={users.loading}
        dataSource={users.data?.items}
        pagination={{ pageSize: 20, showTotal: (n) => t('common.total', { count: n }) }}
        columns={[
          { title: t('admin.users.username'), dataIndex: 'username', width: 160 },
          { title: t('admin.users.displayName'), dataIndex: 'displayName', width: 160 },
          {
            title: t('admin.users.roles'),
            dataIndex: 'roles',
            render: (roles: AdminUser['roles']) => (
              <Space size={[4, 4]} wrap>
                {roles.map((g) => (
                  <Tag key={`${g.role}:${g.unitId ?? '*'}`} color={g.unitId === null ? 'blue' : undefined}>
                    {t(`role.${g.role}`)} · {g.unitName ?? t('home.roleScope.all')}
                  </Tag>
                ))}
              </Space>
            ),
          },
          {
            title: t('admin.users.status'),
            dataIndex: 'disabled',
            width: 90,
            render: (disabled: boolean) => (disabled ? <Tag>{t('admin.users.disabled')}</Tag> : <Tag color="green">{t('admin.users.active')}</Tag>),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            width: 120,
            render: (_: unknown, u) => (
              <Button size="small" icon={<KeyOutlined />} onClick={() => setResetting(u)}>
                {t('admin.users.resetPassword')}
              </Button>
            ),
          },
        ]}
      />
      {creating && (
        <CreateUserModal
          units={unitList}
          canGrantSystemAdmin={effectiveRoles.has('system_admin')}
          onClose={(created) => {
            setCreating(false);
            if (created) users.reload();
          }}
        />
      )}
      {resetting && <ResetPasswordModal user={resetting} onClose={() => setResetting(undefined)} />}
    </Card>
  );
}

interface GrantRow {
  role?: Role;
  unitId?: string;
}

function CreateUserModal({ units, canGrantSystemAdmin, onClose }: { units: Unit[]; canGrantSystemAdmin: boolean; onClose(created: boolean): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ username: string; displayName?: string; password: string; roles: GrantRow[] }>();
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const grants = Form.useWatch('roles', form) ?? [];
  const roleOptions = ROLES.filter((r) => canGrantSystemAdmin || r !== 'system_admin').map((r) => ({ value: r, label: t(`role.${r}`) }));

  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    setError(undefined);
    try {
      const body: NewUser = {
        username: v.username.trim(),
        displayName: v.displayName?.trim() || undefined,
        password: v.password,
        roles: v.roles.map((g) => ({ role: g.role!, unitId: g.role === 'system_admin' ? null : (g.unitId ?? null) })),
      };
      const r = await adminApi.createUser(body);
      message.success(t('admin.users.created', { username: r.user.username }));
      onClose(true);
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open title={t('admin.users.create')} onOk={submit} okText={t('common.save')} cancelText={t('common.cancel')} confirmLoading={saving} onCancel={() => onClose(false)} width={620} destroyOnHidden>
      <FormError error={error} />
      <Form form={form} layout="vertical" initialValues={{ roles: [{}] }} requiredMark>
        <Form.Item name="username" label={t('admin.users.username')} extra={t('admin.users.usernameHint')} rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9._-]{1,63}$/, message: t('admin.users.usernameHint') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="displayName" label={t('admin.users.displayName')}>
          <Input />
        </Form.Item>
        <Form.Item name="password" label={t('admin.users.password')} extra={t('admin.users.passwordHint')} rules={[{ required: true, min: 8, message: t('admin.users.passwordHint') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Typography.Text strong>{t('admin.users.roles')}</Typography.Text>
        <Form.List name="roles">
          {(fields, { add, remove }) => (
            <div style={{ marginTop: 8 }}>
              {fields.map((field, i) => {
                const role = grants[i]?.role;
                const needsUnit = !role || !ALL_UNIT_ROLES.includes(role);
                return (
                  <Space key={field.key} align="baseline" style={{ display: 'flex' }}>
                    <Form.Item name={[field.name, 'role']} rules={[{ required: true, message: t('admin.users.roleRequired') }]}>
                      <Select placeholder={t('admin.users.role')} options={roleOptions} style={{ width: 180 }} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'unitId']} rules={[{ required: needsUnit, message: t('admin.users.unitRequired') }]}>
                      <Select
                        allowClear
                        disabled={role === 'system_admin'}
                        placeholder={needsUnit ? t('admin.users.unit') : t('home.roleScope.all')}
                        options={units.map((u) => ({ value: u.id, label: `${u.name}（${u.code}）` }))}
                        showSearch={{ optionFilterProp: 'label' }}
                        style={{ width: 300 }}
                      />
                    </Form.Item>
                    {fields.length > 1 && <MinusCircleOutlined onClick={() => remove(field.name)} />}
                  </Space>
                );
              })}
              <Button type="dashed" onClick={() => add({})} icon={<PlusOutlined />}>
                {t('admin.users.addRole')}
              </Button>
            </div>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}

function ResetPasswordModal({ user, onClose }: { user: AdminUser; onClose(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ password: string }>();
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    setError(undefined);
    try {
      await adminApi.setPassword(user.id, v.password);
      message.success(t('admin.users.passwordReset', { username: user.username }));
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal open title={`${t('admin.users.resetPassword')} · ${user.displayName}（${user.username}）`} onOk={submit} okText={t('common.save')} cancelText={t('common.cancel')} confirmLoading={saving} onCancel={onClose} destroyOnHidden>
      <FormError error={error} />
      <Typography.Paragraph type="secondary">{t('admin.users.resetHint')}</Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item name="password" label={t('admin.users.newPassword')} extra={t('admin.users.passwordHint')} rules={[{ required: true, min: 8, message: t('admin.users.passwordHint') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
