import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { AuthProvider } from './auth/AuthProvider';
import { I18nProvider, useI18n } from './i18n/I18nProvider';
import { groups, registry } from './nav/registry';
import { AppLayout } from './shell/AppLayout';
import { NotFoundPage } from './shell/ErrorPages';
import { GroupRoute, PageRoute, RequireAuth } from './shell/guards';
import { LoginPage } from './shell/LoginPage';
import { theme } from './shell/theme';

function Routed() {
  const { locale } = useI18n();
  // Date pickers take month and weekday names and the first day of the week from dayjs' locale, antd's from ConfigProvider.
  dayjs.locale(locale === 'en' ? 'en' : 'zh-cn');
  return (
    <ConfigProvider locale={locale === 'en' ? enUS : zhCN} theme={theme}>
      <AntApp>
        <BrowserRouter>
          <AuthProvider>
            <Routes>
              <Route path="/login" element={<LoginPage />} />
              <Route
                element={
                  <RequireAuth>
                    <AppLayout />
                  </RequireAuth>
                }
              >
                {registry.map((p) => (
                  <Route key={p.key} path={p.path} element={<PageRoute page={p} />} />
                ))}
                {groups
                  .filter((g) => registry.some((p) => p.group === g.key))
                  .map((g) => (
                  <Route key={`group:${g.key}`} path={g.path} element={<GroupRoute group={g} />} />
                ))}
                <Route path="*" element={<NotFoundPage />} />
              </Route>
            </Routes>
          </AuthProvider>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <I18nProvider>
      <Routed />
    </I18nProvider>
  );
}
