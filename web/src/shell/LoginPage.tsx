import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { useAuth } from '../auth/AuthProvider';
import { useI18n, type Translate } from '../i18n/I18nProvider';
import { FullPageSpin } from './guards';
import { LanguageSwitch } from './LanguageSwitch';
import { HEADER_BG } from './theme';

/** Only same-app paths are followed after login, so a crafted ?next= cannot send the user to another site. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

function loginErrorText(e: unknown, t: Translate, formatDateTime: (v: string) => string): string {
  if (e instanceof ApiError) {
    if (e.code === 'invalid_credentials') return t('login.invalidCredentials');
    if (e.code === 'locked') {
      // The identity API puts `until` in details (the shared error shape) and at the top level.
      const until = e.details?.until ?? (e.body as { until?: unknown } | undefined)?.until;
      return typeof until === 'string' ? t('login.locked', { until: formatDateTime(until) }) : t('login.lockedNoTime');
    }
    return t('login.failed', { message: e.message });
  }
  return t('login.failed', { message: (e as Error).message });
}

export function LoginPage() {
  const { state, login } = useAuth();
  const { t, formatDateTime } = useI18n();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [error, setError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);
  const next = safeNext(params.get('next'));

  if (state.status === 'loading') return <FullPageSpin />;
  if (state.status === 'authenticated') return <Navigate to={next} replace />;

  const onFinish = async (v: { username: string; password: string }) => {
    setSubmitting(true);
    setError(undefined);
    try {
      await login(v.username.trim(), v.password);
      navigate(next, { replace: true });
    } catch (e) {
      setError(loginErrorText(e, t, formatDateTime));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div
      style={{
        minHeight: '100vh',
        display: 'flex',
        flexDirection: 'column',
        background: `linear-gradient(180deg, ${HEADER_BG} 0, ${HEADER_BG} 320px, #f2f4f7 320px)`,
      }}
    >
      <div style={{ display: 'flex', justifyContent: 'flex-end', padding: '12px 20px' }}>
        <LanguageSwitch dark />
      </div>
      <div style={{ flex: 1, display: 'flex', justifyContent: 'center', alignItems: 'flex-start', paddingTop: 48 }}>
        <div style={{ width: 400, maxWidth: 'calc(100vw - 32px)' }}>
          <div style={{ textAlign: 'center', marginBottom: 28 }}>
            <img src="/favicon.svg" alt="" width={48} height={48} />
            <Typography.Title level={2} style={{ color: '#fff', margin: '12px 0 4px', letterSpacing: 2 }} data-testid="login-product">
              {t('app.name')}
            </Typography.Title>
            <Typography.Text style={{ color: 'rgba(255,255,255,0.7)' }}>{t('login.subtitle')}</Typography.Text>
          </div>
          <Card title={t('login.title')} styles={{ body: { paddingTop: 20 } }}>
            {state.error && (
              <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('error.generic', { message: state.error.message })} />
            )}
            {error && <Alert type="error" showIcon style={{ marginBottom: 16 }} title={error} data-testid="login-error" />}
            <Form layout="vertical" onFinish={onFinish} requiredMark={false} disabled={submitting}>
              <Form.Item name="username" label={t('login.username')} rules={[{ required: true, whitespace: true, message: t('login.usernameRequired') }]}>
                <Input prefix={<UserOutlined />} autoComplete="username" autoFocus size="large" id="login-username" />
              </Form.Item>
              <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
                <Input.Password prefix={<LockOutlined />} autoComplete="current-password" size="large" id="login-password" />
              </Form.Item>
              <Button type="primary" htmlType="submit" block size="large" loading={submitting} data-testid="login-submit">
                {t('login.submit')}
              </Button>
            </Form>
          </Card>
        </div>
      </div>
    </div>
  );
}
