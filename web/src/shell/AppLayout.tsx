import { BankOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Layout, Menu, Select, Space, Tooltip, Typography, type MenuProps } from 'antd';
import { useMemo, useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useAuth } from '../auth/AuthProvider';
import { useI18n } from '../i18n/I18nProvider';
import { menuFor, registry } from '../nav/registry';
import { LanguageSwitch } from './LanguageSwitch';
import { HEADER_BG } from './theme';

const { Header, Sider, Content } = Layout;
const headerText = 'rgba(255,255,255,0.88)';

/** The page a path belongs to: the registered path that is its longest prefix (so /admin/users/7 → users). */
function activeKey(pathname: string): string | undefined {
  let best: { key: string; len: number } | undefined;
  for (const p of registry) {
    const base = p.path.replace(/\/:.*$/, '');
    const matches = base === '/' ? pathname === '/' : pathname === base || pathname.startsWith(`${base}/`);
    if (matches && (!best || base.length > best.len)) best = { key: p.key, len: base.length };
  }
  return best?.key;
}

export function AppLayout() {
  const { user, currentUnit, setCurrentUnit, effectiveRoles, logout } = useAuth();
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const [collapsed, setCollapsed] = useState(false);

  const nodes = useMemo(() => menuFor(effectiveRoles), [effectiveRoles]);
  const items: MenuProps['items'] = nodes.map((n) =>
    n.type === 'page'
      ? { key: n.page.key, icon: n.page.icon, label: t(n.page.labelKey) }
      : {
          key: `group:${n.group.key}`,
          icon: n.group.icon,
          label: t(n.group.labelKey),
          children: n.pages.map((p) => ({ key: p.key, icon: p.icon, label: t(p.labelKey) })),
        },
  );
  const selected = activeKey(location.pathname);
  const selectedGroup = registry.find((p) => p.key === selected)?.group;
  const [openKeys, setOpenKeys] = useState<string[]>(selectedGroup ? [`group:${selectedGroup}`] : []);

  if (!user) return null;

  // Roles that hold in the unit being worked in, in the fixed role order, for the header.
  const roleLabels = user.roles
    .filter((g) => g.unitId === null || g.unitId === currentUnit?.id)
    .map((g) => t(`role.${g.role}`))
    .filter((l, i, all) => all.indexOf(l) === i)
    .join('、');

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Header style={{ display: 'flex', alignItems: 'center', gap: 16, background: HEADER_BG, position: 'sticky', top: 0, zIndex: 10 }}>
        <Space size={10} style={{ flex: 'none' }} data-testid="app-brand">
          <img src="/favicon.svg" alt="" width={28} height={28} style={{ display: 'block' }} />
          <Typography.Text strong style={{ color: '#fff', fontSize: 17, letterSpacing: 1 }}>
            {t('app.name')}
          </Typography.Text>
          <Typography.Text style={{ color: 'rgba(255,255,255,0.55)', fontSize: 12 }}>evarchive</Typography.Text>
        </Space>
        <div style={{ flex: 1 }} />
        {user.units.length > 1 ? (
          <Space size={6}>
            <BankOutlined style={{ color: headerText }} />
            <Select
              data-testid="unit-switcher"
              aria-label={t('header.unit')}
              value={currentUnit?.id}
              onChange={(id) => setCurrentUnit(id)}
              style={{ minWidth: 220 }}
              options={user.units.map((u) => ({ value: u.id, label: `${u.name}（${u.code}）` }))}
              showSearch={{ optionFilterProp: 'label' }}
            />
          </Space>
        ) : currentUnit ? (
          <Space size={6} style={{ color: headerText }} data-testid="current-unit">
            <BankOutlined />
            {currentUnit.name}
          </Space>
        ) : null}
        <LanguageSwitch dark />
        <Tooltip title={roleLabels}>
          <Space size={6} style={{ color: headerText }} data-testid="current-user">
            <UserOutlined />
            <span>{user.displayName}</span>
            <span style={{ color: 'rgba(255,255,255,0.55)', fontSize: 12 }}>{roleLabels}</span>
          </Space>
        </Tooltip>
        <Button
          type="text"
          icon={<LogoutOutlined />}
          style={{ color: headerText }}
          data-testid="logout"
          onClick={async () => {
            await logout();
            navigate('/login', { replace: true });
          }}
        >
          {t('header.logout')}
        </Button>
      </Header>
      <Layout>
        <Sider
          width={216}
          collapsible
          collapsed={collapsed}
          onCollapse={setCollapsed}
          theme="light"
          // Sticky under the header so the menu stays in reach on long pages.
          style={{ borderRight: '1px solid #e5e8ee', position: 'sticky', top: 56, height: 'calc(100vh - 56px)', overflow: 'auto' }}
        >
          <Menu
            mode="inline"
            data-testid="side-nav"
            items={items}
            selectedKeys={selected ? [selected] : []}
            openKeys={collapsed ? undefined : openKeys}
            onOpenChange={setOpenKeys}
            onClick={({ key }) => {
              const page = registry.find((p) => p.key === key);
              if (page) navigate(page.path);
            }}
            style={{ borderInlineEnd: 'none', paddingTop: 8 }}
          />
        </Sider>
        <Content style={{ padding: 24, minWidth: 0 }}>
          <Outlet />
        </Content>
      </Layout>
    </Layout>
  );
}
